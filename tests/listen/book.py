"""A short book for test narrators: four chapters with sections, from The Revolution Betrayed."""

from __future__ import annotations

from tests.narrator import Chapter

CHAPTERS = [
    Chapter("Chapter 1", "What Has Been Achieved", [
        "Owing to the insignificance of the Russian bourgeoisie, the democratic tasks of backward Russia could be "
        "achieved only through a dictatorship of the proletariat.",
        "The proletariat, however, having seized the power at the head of the peasant masses, could not stop at "
        "the achievement of these democratic tasks.",
    ], [
        ("Comparative Estimate of These Achievements", [
            "The dynamic coefficients of Soviet industry are unexampled. But they are still far from decisive.",
            "The Soviet Union is uplifting itself from a terrible low level, while the capitalist countries are "
            "slipping down from a very high one.",
        ]),
        ("Production Per Capita of the Population", [
            "The average individual productivity of labor in the Soviet Union is still very low.",
            "In the best metal foundry, the output of iron and steel per individual worker is a third as much as "
            "the average output of American foundries.",
        ]),
    ]),
    Chapter("Chapter 2", "Economic Growth and the Zigzags of the Leadership", [
        "The line of development of the Soviet economy is far from an uninterrupted and evenly rising curve.",
        "In the first eighteen years of the new regime you can clearly distinguish several stages marked by sharp "
        "crises.",
    ], [
        ("A Sharp Turn in the Policy", [
            "Irresoluteness before the individual peasant enterprises, distrust of large plans, defense of a minimum "
            "tempo, neglect of international problems.",
            "All this taken together formed the essence of the theory of socialism in one country.",
        ]),
    ]),
    Chapter("Chapter 3", "Socialism and the State", [
        "The bourgeois world at first tried to pretend not to notice the economic successes of the soviet regime.",
        "The learned economists of capital still often try to maintain a deeply cogitative silence about the "
        "unprecedented tempo of Russia's industrial development.",
        "This book was completed and sent to the publishers before the conspiracy trial of Moscow was announced.",
    ], [
        ("The Transitional Regime", [
            "Naturally, therefore, the proceedings at the trial could not be evaluated in its pages.",
            "A short outline of the economic history of the Soviet Union is absolutely necessary both for "
            "diagnosis and prognosis.",
        ]),
    ]),
    Chapter("Chapter 4", "The Struggle for Productivity of Labor", [
        "Having got rid of the rationing system, the Soviet government entered upon a new phase.",
        "The correlation of forces at the present moment is determined not by the rate of growth, but by "
        "contrasting the entire power of the two camps.",
    ], [
        ("Money and Plan", [
            "We have tried to examine the Soviet regime in the dynamics of its development.",
            "The decisive factor is the productivity of human labor, and this is measured by the market.",
        ]),
    ]),
]


def markdown() -> str:
    return "# The Test Betrayed\n\n" + "\n".join(ch.markdown() for ch in CHAPTERS)
