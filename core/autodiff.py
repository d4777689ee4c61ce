"""Reverse-mode automatic differentiation on scalars, in the spirit of micrograd.

Every arithmetic result is a ``Value`` that remembers its inputs and the local derivative of
itself with respect to each of them.  ``loss.backward()`` visits the graph once in reverse
topological order and accumulates, by the chain rule,

    v.grad = dL/dv = sum over the uses u of v:  (du/dv) * u.grad

so after it every node holds its *total* derivative -- the quantity the homework calls the
error signal v̄ (24)-(25).  Nothing here knows about LSTMs: ``core.lstm_autograd`` builds the
forward pass (22) out of these operations, and the local derivatives below are the only
calculus involved (d(a b) = b da + a db, sigmoid' = s (1 - s), tanh' = 1 - tanh²).  The engine
is checked against torch.autograd in ``tests/core/test_autodiff.py``; the web server uses it
instead of torch, whose import alone costs 224 MB of memory.
"""

from __future__ import annotations

import math

__all__ = ["Value"]


class Value:
    """A float64 scalar node of a computation graph: ``data``, ``grad`` (dL/d this node after
    ``backward``), its inputs and the local derivative with respect to each."""

    __slots__ = ("data", "grad", "_inputs", "_local")

    def __init__(
        self, data: float, inputs: tuple[Value, ...] = (), local: tuple[float, ...] = ()
    ) -> None:
        self.data = float(data)
        self.grad = 0.0
        self._inputs = inputs
        self._local = local

    def __repr__(self) -> str:
        return f"Value({self.data!r}, grad={self.grad!r})"

    # ------------------------------------------------------------------ arithmetic
    @staticmethod
    def _lift(other: Value | float) -> Value:
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other: Value | float) -> Value:
        other = self._lift(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Value | float) -> Value:
        other = self._lift(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k: int) -> Value:
        if not isinstance(k, int):
            raise TypeError("Value ** k takes an integer k.")
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),))

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,))

    def __sub__(self, other: Value | float) -> Value:
        return self + (-self._lift(other))

    def __rsub__(self, other: float) -> Value:
        return self._lift(other) - self

    __radd__ = __add__
    __rmul__ = __mul__

    # ------------------------------------------------------------------ squashing functions
    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), computed without overflow; local derivative s (1 - s)."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Value(s, (self,), (s * (1.0 - s),))

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,))

    # ------------------------------------------------------------------ the backward pass
    def backward(self) -> None:
        """dL/dv for every node v this one depends on, with L = this node (its grad = 1)."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # iterative post-order: long sequences never hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((v, False) for v in node._inputs if id(v) not in seen)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # every use of a node is visited before the node
            for v, d in zip(node._inputs, node._local, strict=True):
                v.grad += d * node.grad
