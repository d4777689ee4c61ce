"""Every Plotly figure downloads as a PNG at projector resolution with a meaningful name
(issue 12, export)."""

import json

import pytest

from tests.app.helpers import open_page

PAGES = {
    "pages/1_Binary_adder.py": {},
    "pages/2_Gradient_flow.py": {"view": "Part (c)"},
    "pages/3_Attention.py": {},
    "pages/4_Translate.py": {"model": "both"},
    "pages/6_Transformer.py": {"view": "Greedy decoding"},
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_figure_saves_at_projector_resolution_with_its_name(path):
    at = open_page(path, PAGES[path])
    charts = at.get("plotly_chart")
    assert charts, "the page draws figures"
    names = set()
    for c in charts:
        opts = json.loads(c.proto.config)["toImageButtonOptions"]
        assert (opts["width"], opts["height"], opts["format"]) == (1920, 1080, "png")
        assert opts["filename"].startswith("sequence-lab-")
        names.add(opts["filename"])
    assert len(names) == len(charts)  # one name per figure
