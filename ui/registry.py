"""The one list of pages: the home cards, the sidebar and every page header read it.

Pages stay in the legacy ``pages/`` folder (Streamlit's automatic multipage discovery), which
keeps deep links such as ``/Attention?N=500`` working on a fresh server.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    """id -- short name used in code;  path -- the script;  title -- the one title shown in the
    sidebar, on the home card and as the page's heading;  icon -- Material icon;
    source -- which sheet questions and equations it answers;  question -- the home card text."""

    id: str
    path: str
    title: str
    icon: str
    source: str = ""
    question: str = ""

    @property
    def url_path(self) -> str:
        """The page's address, e.g. '/Binary_adder' (empty for the home page)."""
        if self.path == "app.py":
            return ""
        stem = self.path.split("/")[-1].removesuffix(".py")
        return "/" + stem.split("_", 1)[1]


HOME = PageInfo("home", "app.py", "Home", ":material/home:")
PAGES: tuple[PageInfo, ...] = (
    PageInfo(
        "adder",
        "pages/1_Binary_adder.py",
        "An RNN that adds binary numbers",
        ":material/calculate:",
        "Homework question 1 · the network (2)-(3) with the weights of (4), worked steps (7)-(21)",
        "How can a recurrent network with hard-threshold units add two binary numbers bit by "
        "bit? Step through the sheet's worked example, see the carry as a state of a finite "
        "automaton, verify any design on millions of sums, prove it for all lengths, search "
        "for other designs and train one by gradient descent.",
    ),
    PageInfo(
        "gradient",
        "pages/2_Gradient_flow.py",
        "Gradient flow: vanishing gradients and the LSTM",
        ":material/trending_down:",
        "Homework question 2 · the LSTM (22), its BPTT (28)-(40), part (c) (41)-(44) · "
        "review questions 1-2",
        "Why does the error signal of a plain RNN fade away over long sequences, and how does "
        "the LSTM's cell carry it? Work through the sheet's backprop equations for two steps "
        "with real numbers checked by autograd, map the gradient's size over hundreds of steps "
        "and forget-gate levels next to a plain RNN, test the bound of part (c), and watch the "
        "gates write, keep and show a remembered pulse.",
    ),
    PageInfo(
        "attention",
        "pages/3_Attention.py",
        "Attention: why two heads beat one",
        ":material/center_focus_strong:",
        "Homework question 3 · attention (45)-(46), copying (47)-(48), averaging (49)-(51), "
        "sampled keys (52)-(67) and experiment (e) · review question 5 (attention as a soft "
        "look-up)",
        "When does attention copy one value, and how can it average two? Push the scores and "
        "watch the weights turn one-hot, check the averaging query against its closed form, "
        "then sample noisy keys thousands of times and see one head scatter its output while "
        "two heads stay on the average, as in the sheet's experiment (e).",
    ),
    PageInfo(
        "translate",
        "pages/4_Translate.py",
        "Translate French to English",
        ":material/translate:",
        "Homework question 4 · seq2seq with a GRU encoder, an attention decoder and greedy or "
        "beam decoding",
        "Where does a decoder look while it writes a translation? Type a short French "
        "sentence, read the English a GRU encoder-decoder trained on the course's corpus "
        "produces, and see its attention map word by word: the weights that form each context "
        "vector, the five words it weighed at every step, greedy decoding against beam search, "
        "and what it does with words it never saw.",
    ),
    PageInfo(
        "train",
        "pages/5_Train.py",
        "Train a translator",
        ":material/model_training:",
        "Homework question 4 · training the seq2seq model",
        "What does a translation model go through while it learns? Train one on the course's "
        "corpus or your own file, choose the data size, epochs, teacher forcing and hidden "
        "size, and watch the training and validation losses and sample translations change "
        "as it learns; then score it on the test split and try it on the Translate page.",
    ),
    PageInfo(
        "transformer",
        "pages/6_Transformer.py",
        "Transformer: attention is all it uses",
        ":material/hub:",
        "Review questions 3-5 · positional encoding, softmax(QKᵀ/√d_k)V, attention vs "
        "self-attention, multi-head attention, the encoder and decoder blocks and greedy "
        "decoding of a trained transformer",
        "How does a transformer know word order, why does it divide by √d_k, and what does it "
        "look at while it writes? See the sinusoidal encoding and its rotation property with "
        "numbers, work softmax(QKᵀ/√d_k)V through by hand and watch unscaled scores saturate "
        "the softmax, compare the trained model's self-attention with its encoder-decoder "
        "attention, take its heads and blocks apart on your sentence, then step through its "
        "greedy decoding with its masked self-attention, cross-attention and top-5 words.",
    ),
)
BY_ID = {p.id: p for p in (HOME, *PAGES)}


def page(page_id: str) -> PageInfo:
    """The registry entry of ``page_id`` ('adder', 'gradient', ...)."""
    return BY_ID[page_id]
