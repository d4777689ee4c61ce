"""Sequence Lab: home page.  Run with `streamlit run app.py`."""

import streamlit as st

from ui.common import asset_section, asset_text, nav_sidebar

st.set_page_config(page_title="Sequence Lab", page_icon="🧮", layout="wide")
nav_sidebar()

st.title("Sequence Lab")
st.subheader("See what the equations of recurrent networks and attention do")
st.markdown(asset_text("home.md").split("## ")[0])

st.header("Topics")
TOPICS = [
    (
        "pages/1_Binary_adder.py",
        "An RNN that adds binary numbers",
        "Homework question 1 · equations (2)-(21)",
        "How can a recurrent network with hard-threshold units add two binary numbers bit by "
        "bit? Step through the sheet's worked example, see the carry as a state of a finite "
        "automaton, verify any design on millions of sums, prove it for all lengths, search "
        "for other designs and train one by gradient descent.",
    ),
    (
        "pages/2_Gradient_flow.py",
        "Gradient flow: vanishing gradients and the LSTM",
        "Homework question 2 · equations (22)-(44); review questions 1-2",
        "Why does the error signal of a plain RNN fade away over long sequences, and how does "
        "the LSTM's cell carry it? Work through the sheet's backprop equations for two steps "
        "with real numbers checked by autograd, map the gradient's size over hundreds of steps "
        "and forget-gate levels next to a plain RNN, test the bound of part (c), and watch the "
        "gates write, keep and show a remembered pulse.",
    ),
    (
        "pages/3_Attention.py",
        "Attention: why two heads beat one",
        "Homework question 3 · equations (45)-(67)",
        "When does attention copy one value, and how can it average two? Push the scores and "
        "watch the weights turn one-hot, check the averaging query against its closed form, "
        "then sample noisy keys thousands of times and see one head scatter its output while "
        "two heads stay on the average, as in the sheet's experiment (e).",
    ),
    (
        "pages/4_Translate.py",
        "Translation with attention",
        "Homework question 4 · seq2seq with a GRU and attention; review question 4",
        "Where does a decoder look while it writes a translation? Type a short French "
        "sentence, read the English a GRU encoder-decoder trained on the course's corpus "
        "produces, and see its attention map word by word: the weights that form each context "
        "vector, the five words it weighed at every step, greedy decoding against beam search, "
        "and what it does with words it never saw.",
    ),
    (
        "pages/5_Train.py",
        "Train a translator live",
        "Homework question 4 · training the seq2seq model; review question 4",
        "What does a translation model go through while it learns? Train one on the course's "
        "corpus or your own file, choose the data size, epochs, teacher forcing and hidden "
        "size, and watch the training and validation losses and sample translations change "
        "as it learns; then score it on the test split and try it on the Translate page.",
    ),
]
cols = st.columns(2)
for i, (path, title, source, question) in enumerate(TOPICS):
    with cols[i % 2].container(border=True):
        st.markdown(f"#### {title}")
        st.caption(source)
        st.markdown(question)
        st.page_link(path, label=f"Open: {title}", icon=":material/arrow_forward:")

st.header("How to use it in class")
st.markdown(asset_section("home.md", "How to use it in class"))
