"""Text on figures reads on a washed-out projector (issue 12, colour and contrast): the
figures' ink and every block fill of the transformer diagram keep WCAG contrast >= 4.5
(normal text), coloured labels on white >= 3 (large or bold text)."""

import re

import numpy as np
import pytest

from charts import transformer as tch
from charts.style import INK, OKABE_ITO


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#RRGGBB'."""
    rgb = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)]) / 255
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def over_white(rgba: str) -> str:
    """'rgba(r, g, b, a)' drawn on white, as '#RRGGBB'."""
    r, g, b, a = (float(v) for v in re.findall(r"[\d.]+", rgba))
    mix = [round(c * a + 255 * (1 - a)) for c in (r, g, b)]
    return "#" + "".join(f"{v:02X}" for v in mix)


def test_contrast_formula_on_known_pairs():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_ink_on_white_and_on_every_block_fill():
    assert contrast(INK, "#FFFFFF") > 14
    for colour in [*tch.BLOCK_COLOURS.values(), tch.NORM_COLOUR]:
        fill = over_white(tch._tint(colour))
        assert contrast(INK, fill) >= 7, (colour, fill)


def test_block_labels_are_drawn_in_ink():
    from core.transformer_views import BlockShape

    shapes = (
        BlockShape("encoder", "embedding + PE", "encoder: embedding + PE", "(5, 256)"),
        BlockShape("encoder", "self-attention", "encoder: self-attention", "(5, 256)"),
        BlockShape("decoder", "softmax", "decoder: softmax", "(6, 4493)"),
    )
    fig = tch.block_diagram(shapes, "encoder: self-attention", 0, 2)
    labels = [a for a in fig.layout.annotations if a.text and "(" in a.text]
    assert len(labels) == 3
    assert {a.font.color for a in labels} == {INK}


def test_coloured_labels_on_white_are_large_text_readable():
    """Okabe-Ito colours drawn as text on white (the adder's wrong-bit marks and the
    diagram's 'keys, values' in vermillion, blue labels): >= 3, the WCAG level for large or
    bold text.  The yellow, orange and sky blue serve only as fills."""
    for name in ("vermillion", "blue", "black"):
        assert contrast(OKABE_ITO[name], "#FFFFFF") >= 3.0, name
