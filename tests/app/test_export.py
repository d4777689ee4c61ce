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
    at = open_page("pages/2_Gradient_flow.py", {"view": "Gradient flow"})
    assert any("csv_flow_fig" in b.proto.id for b in at.get("download_button"))


def _captions_of_figures(at) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith(":material/photo_camera:")]


def test_each_figure_says_its_file_and_the_link_to_the_view():
    at = open_page("pages/1_Binary_adder.py", {"t": "3"})
    captions = _captions_of_figures(at)
    assert len(captions) == len(at.get("plotly_chart")) >= 1
    cap = captions[0]
    assert "sequence-lab-net_time.png" in cap
    # the link carries the view's controls (a test run has no address: the link is relative)
    link = cap.split("](", 1)[1].rstrip(")")
    assert link.startswith("/Binary_adder?") and "t=3" in link
    # the link text is the link, with what Markdown would read escaped
    assert cap.split("[", 1)[1].split("](")[0].replace("\\", "") == link


def test_the_sidebar_switches_every_figure_to_svg():
    at = open_page("pages/3_Attention.py", {"view": "Copying"})
    choice = at.sidebar.segmented_control(key="_image_format")
    assert choice.value == "PNG"
    choice.set_value("SVG").run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert charts
    for c in charts:
        opts = json.loads(c.proto.config)["toImageButtonOptions"]
        assert (opts["format"], opts["width"], opts["height"]) == ("svg", 1920, 1080)
    assert all(".svg" in cap for cap in _captions_of_figures(at))
    # the choice is the session's: it holds on the next page
    at.switch_page("pages/1_Binary_adder.py").run()
    opts = [json.loads(c.proto.config)["toImageButtonOptions"] for c in at.get("plotly_chart")]
    assert opts and {o["format"] for o in opts} == {"svg"}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_figure_is_a_light_card_with_dark_text(path):
    """On a dark page too, every figure keeps a white background and dark text: its title,
    every axis (subplots' too), legend and colour bars have the text colour set (Streamlit's
    dark chart theme would draw what is left unset light grey on white)."""
    from charts.style import INK

    at = open_page(path, PAGES[path])
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        lay = spec["layout"]
        assert (lay["paper_bgcolor"], lay["plot_bgcolor"]) == ("white", "white")
        assert lay["title"]["font"]["color"] == INK
        axes = [k for k in lay if k.startswith(("xaxis", "yaxis"))]
        assert axes
        for k in axes:
            assert lay[k]["tickfont"]["color"] == INK, (c.proto.id, k)
            assert lay[k]["title"]["font"]["color"] == INK, (c.proto.id, k)
        bars = [t["colorbar"] for t in spec["data"] if t.get("type") == "heatmap"]
        bars += [v["colorbar"] for k, v in lay.items() if k.startswith("coloraxis")]
        for bar in bars:
            assert bar["tickfont"]["color"] == INK


def test_presenter_mode_enlarges_the_figures_text():
    def sizes(at):
        lay = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
        return lay["font"]["size"], lay["title"]["font"]["size"], lay["margin"]["t"]

    plain = sizes(open_page("pages/1_Binary_adder.py"))
    present = sizes(open_page("pages/1_Binary_adder.py", {"present": "1"}))
    assert present == (
        pytest.approx(plain[0] * 1.3, abs=0.1),
        pytest.approx(plain[1] * 1.3, abs=0.1),
        round(plain[2] * 1.3),
    )


def test_theme_link_values():
    """?theme=dark / light / auto are accepted; anything else gets the page's one message
    about link values and the browser's theme."""
    at = open_page("pages/3_Attention.py", {"theme": "dark"})
    assert not [w for w in at.warning if "theme" in w.value]
    at = open_page("pages/3_Attention.py", {"theme": "purple"})
    msgs = [w.value for w in at.warning if "theme" in w.value]
    assert len(msgs) == 1 and "light, dark or auto" in msgs[0]
