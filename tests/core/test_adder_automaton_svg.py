"""The adder's automaton drawn as a standalone SVG file (issue 12, export): the states, their
labels, the bold path, the dashed vermillion wrong edges, and nothing outside the picture."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import numpy as np

from charts.adder import automaton_svg
from core.adder.automaton import prove_adder, state_label, state_path, transition_table
from core.adder.encoding import encode_pair
from core.adder.weights import BROKEN_WEIGHTS, SEED_WEIGHTS, AdderWeights

NS = "{http://www.w3.org/2000/svg}"
SHEET_SUM = (0b110111, 0b10010)  # the sheet's example


def draw(w: AdderWeights, pair: tuple[int, int] | None = SHEET_SUM):
    proof = prove_adder(w)
    _, out = transition_table(w)
    path = state_path(w, encode_pair(*pair)) if pair else None
    svg = automaton_svg(proof, out, path)
    return proof, path, svg, ET.fromstring(svg)


def edges(root: ET.Element) -> dict[tuple[int, int], ET.Element]:
    found = {}
    for p in root.iter(NS + "path"):
        m = re.fullmatch(r"e(\d+)-(\d+)", p.get("id", ""))
        if m:
            found[int(m.group(1)), int(m.group(2))] = p
    return found


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x0, y0, w, h = map(float, root.get("viewBox").split())
    assert (w, h) == (float(root.get("width")), float(root.get("height")))
    return x0, y0, x0 + w, y0 + h


def test_seed_automaton_is_a_standalone_svg_with_one_labelled_circle_per_state():
    proof, _, svg, root = draw(SEED_WEIGHTS)
    assert root.tag == NS + "svg" and svg.lstrip().startswith("<?xml")
    assert "Helvetica" in root.get("font-family") and root.get("fill") == "#222222"
    background = root.find(NS + "rect")
    assert background.get("fill") == "#ffffff"
    assert [background.get(k) for k in ("x", "y", "width", "height")] == root.get("viewBox").split()
    circles = list(root.iter(NS + "circle"))
    assert len(circles) == proof.n_network_states == 4
    shown = {}
    for g in root.iter(NS + "g"):
        if g.get("class") == "state":
            lines = tuple(t.text for t in g.iter(NS + "tspan"))
            shown[lines[0]] = (lines[1:], g.find(NS + "circle").get("fill"))
    assert shown == {
        "h=000": (("y=0", "carry 0"), "#F0F0F0"),
        "h=100": (("y=1", "carry 0"), "#56B4E9"),
        "h=110": (("y=0", "carry 1"), "#F0F0F0"),
        "h=111": (("y=1", "carry 1"), "#56B4E9"),
    }
    assert {state_label(s, 3) for s in proof.state_carries} == {h[2:] for h in shown}
    assert automaton_svg(proof, transition_table(SEED_WEIGHTS)[1]) == automaton_svg(
        proof, transition_table(SEED_WEIGHTS)[1]
    )  # deterministic


def test_seed_automaton_edges_labels_and_the_bold_path():
    proof, path, _, root = draw(SEED_WEIGHTS)
    drawn = edges(root)
    assert set(drawn) == {(s, s2) for s, _c, _k, s2, _c2, _ok in proof.edges}
    on_path = set(zip(path[:-1], path[1:], strict=True))
    assert on_path and on_path < set(drawn)
    for pair, p in drawn.items():
        assert p.get("stroke-width") == ("3.5" if pair in on_path else "1.4")
        assert p.get("stroke") == "#333333" and p.get("stroke-dasharray") is None  # all right
        assert p.get("marker-end") == "url(#arrow)"
    markers = {m.get("id") for m in root.iter(NS + "marker")}
    assert {"arrow", "arrow-wrong"} <= markers
    labels = sorted(t.text for t in root.iter(NS + "text") if t.text)
    assert labels.count("01, 10") == 4 and "start" in labels  # 0->1, 1->1, 3->3, 7->3
    assert automaton_svg(proof, transition_table(SEED_WEIGHTS)[1], None).count('"3.5"') == 0


def test_edges_both_ways_bend_to_opposite_sides():
    _, _, _, root = draw(SEED_WEIGHTS)
    drawn = edges(root)
    assert (1, 3) in drawn and (3, 1) in drawn  # 100 <-> 110

    def control(p: ET.Element) -> np.ndarray:
        nums = [float(v) for v in re.findall(r"-?\d+\.\d+", p.get("d"))]
        return np.array(nums[2:4])  # M x,y Q cx,cy x,y

    circle = {g.get("id"): g.find(NS + "circle") for g in root.iter(NS + "g") if g.get("id")}
    a, b = (
        np.array([float(circle[s].get("cx")), float(circle[s].get("cy"))]) for s in ("s1", "s3")
    )
    chord = b - a

    def side(c: np.ndarray) -> float:
        return float(np.sign(chord[0] * (c - a)[1] - chord[1] * (c - a)[0]))

    assert side(control(drawn[1, 3])) == -side(control(drawn[3, 1])) != 0


def test_a_wrong_design_has_dashed_vermillion_edges():
    proof, _, _, root = draw(BROKEN_WEIGHTS)
    assert not proof.correct
    wrong = {(s, s2) for s, _c, _k, s2, _c2, ok in proof.edges if not ok}
    assert wrong == {(3, 3)}  # 110 on 01/10/11 stays in 110 and says y = 0
    for pair, p in edges(root).items():
        if pair in wrong:
            assert p.get("stroke") == "#D55E00" and p.get("stroke-dasharray")
            assert p.get("marker-end") == "url(#arrow-wrong)"
        else:
            assert p.get("stroke") == "#333333" and p.get("stroke-dasharray") is None


def _inside(root: ET.Element) -> None:
    x0, y0, x1, y1 = view_box(root)
    for c in root.iter(NS + "circle"):
        cx, cy, r = (float(c.get(k)) for k in ("cx", "cy", "r"))
        assert x0 <= cx - r and cx + r <= x1 and y0 <= cy - r and cy + r <= y1
    for t in list(root.iter(NS + "text")) + list(root.iter(NS + "tspan")):
        if t.get("x") is not None:
            x, y = float(t.get("x")), float(t.get("y"))
            half = 0.3 * float(t.get("font-size", 13)) * len(t.text or "")
            assert x0 <= x - half and x + half <= x1 and y0 + 12 <= y <= y1 - 3, t.text
    for p in root.iter(NS + "path"):
        if p.get("id"):
            nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", p.get("d"))]
            xs, ys = nums[0::2], nums[1::2]
            assert x0 <= min(xs) and max(xs) <= x1 and y0 <= min(ys) and max(ys) <= y1


def test_everything_lies_within_the_view_box():
    one_state = AdderWeights(  # h stays 0, y stays 0: a single state with a wrong loop
        U=np.zeros((1, 2)), W=np.zeros((1, 1)), V=np.zeros(1), b_h=-np.ones(1), b_y=-1.0
    )
    for w, pair in ((SEED_WEIGHTS, SHEET_SUM), (BROKEN_WEIGHTS, None), (one_state, (3, 5))):
        _, _, _, root = draw(w, pair)
        _inside(root)
    _, _, svg, root = draw(one_state)
    assert len(list(root.iter(NS + "circle"))) == 1 and 'stroke-dasharray="7 4"' in svg
