"""Pure math and models of Sequence Lab (numpy / torch only; never streamlit or plotting)."""
