"""The kinds of news a story can be about, as discovery compares them by meaning.

The 17 top-level subjects of the IPTC Media Topics vocabulary (the news industry's shared
taxonomy), each described by its name and the names of some of its subtopics. A story's
*topic profile* is how close its meaning is to each (see
:meth:`tuireader.services.semantic.Semantic.topic_profiles`): two stories about different
matches share no names but are both close to "sport". Written from the taxonomy, not from
any labeled set, so that no outlet's or fixture's vocabulary is built in.
"""

from __future__ import annotations

TOPICS: tuple[tuple[str, str], ...] = (
    (
        "the arts",
        "arts, culture, entertainment and media: music, cinema, theatre, literature, television",
    ),
    ("conflict", "conflict, war and peace: armed conflict, war, terrorism, military, peace talks"),
    (
        "crime and justice",
        "crime, law and justice: crime, police, court, trial, judiciary, prison, lawsuit",
    ),
    (
        "disasters",
        "disaster, accident and emergency: earthquake, fire, explosion, crash, emergency response",
    ),
    (
        "business",
        "economy, business and finance: company, market, trade, industry, investment, finance",
    ),
    ("education", "education: school, university, teaching, students"),
    ("the environment", "environment: climate change, pollution, nature conservation"),
    ("health", "health: disease, illness, health care, medicine, hospital, treatment"),
    ("people", "human interest: people, celebrity, animals, awards"),
    ("work", "labour: employment, workers, trade unions, strike, wages"),
    ("leisure", "lifestyle and leisure: travel, food, fashion, hobbies"),
    (
        "politics",
        "politics: government, election, parliament, legislation, political parties, diplomacy",
    ),
    ("religion", "religion: belief, faith, church"),
    (
        "science and technology",
        "science and technology: research, computing, software, internet, engineering",
    ),
    ("society", "society: social issues, family, communities, welfare, demographics"),
    ("sport", "sport: competition, match, team, athletes, championship"),
    ("the weather", "weather: forecast, storm, temperature, rain, snow, wind"),
)
"""(what a reason calls it, what it is embedded by)."""

SHARPNESS = 0.05
"""The softmax temperature turning a story's closeness to each topic into its profile: low
enough that a story is about one or two topics, not a little about all."""
