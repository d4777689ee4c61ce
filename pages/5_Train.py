"""Homework question 4, hands on: train the French -> English model live and watch it learn."""

import streamlit as st

from ui import train_state as state
from ui import train_views as views
from ui.common import asset_section, intro, page_run, share_hint
from ui.controls import check_links

if ref := st.session_state.pop(state.GO_KEY, ""):  # "Translate with this model" was pressed
    # the job's reference goes along: the Translate link then names this model
    st.switch_page(state.TRANSLATE_PAGE, query_params={state.JOB_PARAM: ref})

with page_run("train"):  # the header; at most RUNS_AT_ONCE page runs build at once
    check_links(state.CONTROLS)
    views.linked_job()
    share_hint()
    intro(asset_section(views.MD, "Intro"))

    data_col, settings_col = st.columns(2, gap="large")
    corpus, exercise_filter = views.data_section(data_col)
    plan = views.settings_section(settings_col, corpus, exercise_filter)
    views.start_row(plan)
    st.fragment(views.live_panel, run_every=views.refresh_seconds())()
    views.explanations()
