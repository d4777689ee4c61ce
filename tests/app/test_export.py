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


def test_heatmap_numbers_download_as_csv():
    """Every heatmap's numbers as CSV: the adder's h(t)/y(t) map, row by row, as the trace."""
    import csv
    import io

    import plotly.graph_objects as go

    from charts.adder import network_over_time
    from charts.style import heatmap_csv
    from core.adder.encoding import read_addition
    from core.adder.network import run_adder
    from core.adder.weights import SEED_WEIGHTS

    addition, _ = read_addition("110111", "10010", "binary", None, 16)
    tr = run_adder(addition.x, SEED_WEIGHTS)
    rows = list(csv.reader(io.StringIO(heatmap_csv(network_over_time(tr, 1, hide_from=3)))))
    assert rows[0][0].startswith("Inputs, hidden state h(t)")
    assert rows[1] == ["y \\ x", *map(str, range(1, tr.T + 1))]
    body = {r[0]: r[1:] for r in rows[2:]}
    assert body["x₁ (a)"] == [str(int(v)) for v in tr.x[0]]
    # hidden cells (quiz mode) are empty fields, the others the trace's values
    assert body["h1"] == [str(int(v)) for v in tr.h[:2, 0]] + [""] * (tr.T - 2)
    assert heatmap_csv(go.Figure(go.Bar(x=[1], y=[2]))) is None  # no heatmap, no CSV


def test_the_pages_offer_csv_next_to_their_heatmaps():
    at = open_page("pages/1_Binary_adder.py", {"t": "2"})
    keys = [b.proto.id for b in at.get("download_button")]
    assert any("csv_net_time" in k for k in keys), keys
    at = open_page("pages/2_Gradient_flow.py", {})
    assert any("csv_flow_fig" in b.proto.id for b in at.get("download_button"))
