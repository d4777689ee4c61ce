"""Sentences the benchmarks translate when no corpus is at hand (the corpus now ships in
assets/data, so only a damaged checkout needs them).  Made up for this project."""

FALLBACK_SENTENCES = [
    "je suis tres fatigue .",
    "il est en retard .",
    "nous sommes prets .",
    "tu es triste ?",
    "elle est tres occupee .",
    "vous etes mon ami .",
    "ils sont a la maison .",
    "je suis heureux de te voir .",
    "il est plus grand que moi .",
    "je ne suis pas un enfant .",
]
