"""A made-up English<TAB>French corpus for training tests (no sentence of the real corpus)."""

WHO = [
    ("i am", "je suis"),
    ("he is", "il est"),
    ("she is", "elle est"),
    ("you are", "tu es"),
    ("we are", "nous sommes"),
    ("they are", "ils sont"),
]
NAMES = [
    "anna",
    "bruno",
    "chloe",
    "david",
    "emma",
    "felix",
    "gina",
    "hugo",
    "ines",
    "jules",
    "karim",
    "lea",
    "marc",
    "nina",
    "oscar",
    "paul",
    "rosa",
    "sami",
]


def toy_corpus(n_names: int = len(NAMES)) -> bytes:
    """'i am NAME .<TAB>je suis NAME .' for every subject and the first ``n_names`` names."""
    return "".join(f"{en} {n} .\t{fr} {n} .\n" for en, fr in WHO for n in NAMES[:n_names]).encode()
