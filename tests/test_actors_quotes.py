"""Actors and quotes on sentences written for these tests."""

from __future__ import annotations

from accord.extract.quotes import quote_spans

TEXT = (
    "Talks resume in Vienna\n\n"
    "Finnish President Alexander Stubb said on Monday that the talks had reached a turning point. "
    "“We are closer than ever,” he told reporters in Helsinki.\n\n"
    "Dan Driscoll, the US army secretary, described the session as “constructive”. "
    "According to the Kremlin spokesman Dmitry Peskov, Moscow has not received any new text.\n\n"
    "“There is still a long way to go.”\n\n"
    "The meeting was called “Vienna II” by organisers."
)


def test_actors_roles_and_parties(accord_nlp):
    doc = accord_nlp(TEXT)
    actors = {a.name: a for a in doc._.actors}
    assert set(actors) == {"Alexander Stubb", "Dan Driscoll", "Dmitry Peskov"}
    assert (actors["Alexander Stubb"].role, actors["Alexander Stubb"].party) == ("President", "FIN")
    assert (actors["Dan Driscoll"].role, actors["Dan Driscoll"].party) == ("army secretary", "USA")
    assert actors["Dmitry Peskov"].party == "RUS"
    stubb = actors["Alexander Stubb"]
    assert TEXT[stubb.start : stubb.end] == "Alexander Stubb"


def test_quotes_direct_indirect_and_attribution(accord_nlp):
    doc = accord_nlp(TEXT)
    quotes = {q.text: q for q in doc._.quotes}
    assert quotes["the talks had reached a turning point"].kind == "indirect"
    assert quotes["the talks had reached a turning point"].speaker == "Alexander Stubb"
    assert quotes["We are closer than ever"].speaker == "Alexander Stubb"  # "he" resolved
    assert quotes["constructive"].speaker == "Dan Driscoll"  # partial quote with a describing verb
    according = next(q for q in doc._.quotes if q.text.startswith("Moscow has not received"))
    assert according.speaker == "Dmitry Peskov" and according.party == "RUS"
    # a paragraph that is only a quotation continues the last speaker
    assert quotes["There is still a long way to go."].speaker == "Dan Driscoll"
    for q in doc._.quotes:
        assert TEXT[q.start : q.end] == q.text


def test_scare_quotes_around_a_name_are_not_quotes(accord_nlp):
    doc = accord_nlp(TEXT)
    assert "Vienna II" not in {q.text for q in doc._.quotes}


def test_noun_object_of_speech_verb_is_not_a_quote(accord_nlp):
    doc = accord_nlp("Prime Minister Mark Carney emphasized the progress made in Ottawa.")
    assert doc._.quotes == []


def test_quote_spans_multi_paragraph_and_marks():
    text = "He said: “First part of it\n\n“Second part.”\n\nShe called it \"fine work\" then."
    spans = [text[s:e] for s, e, _ in quote_spans(text)]
    assert spans == ["First part of it", "Second part.", "fine work"]


def test_passive_description_without_agent_has_no_speaker(accord_nlp):
    doc = accord_nlp("After the meeting, described as “very frank and useful,” both delegations left.")
    (quote,) = doc._.quotes
    assert quote.speaker is None and quote.kind == "direct"


def test_roles_keep_their_complements_and_hyphens(accord_nlp):
    text = (
        "General Ada Brennan, commander of the Northern Fleet, arrived on Monday. "
        "The head of the Polish delegation, Piotr Nowak, spoke first. "
        "Mark Doyle, Donald Trump's son-in-law, also attended, as did the US vice-president, Lena Ortiz. "
        "High Representative of the European Union Kaja Kallas was not invited."
    )
    roles = {a.name: (a.role, a.party) for a in accord_nlp(text)._.actors}
    assert roles["Ada Brennan"][0] == "General, commander of the Northern Fleet"
    assert roles["Piotr Nowak"] == ("head of the Polish delegation", "POL")
    assert roles["Mark Doyle"] == ("son-in-law", "USA")
    assert roles["Lena Ortiz"] == ("vice-president", "USA")
    assert roles["Kaja Kallas"] == ("High Representative", "EU")
    assert roles["Donald Trump"][0] != "son-in-law"


def test_single_quotation_marks_and_speech_nouns(accord_nlp):
    text = (
        "Asked about the talks, presidential aide Olena Hrytsenko called them ‘frank and useful’. "
        "Hrytsenko’s answer on the timetable was a curt ‘not before spring’. "
        "The aide said the delegation hasn’t received a new draft."
    )
    quotes = {q.text: q for q in accord_nlp(text)._.quotes}
    assert quotes["frank and useful"].speaker == "Olena Hrytsenko"
    assert quotes["not before spring"].speaker == "Olena Hrytsenko"
    assert not any("hasn" in q for q in quotes if "delegation" not in q)


def test_and_joins_two_titles_but_not_a_country_and_a_title(accord_nlp):
    text = (
        "Talks between Chile and Peruvian Foreign Minister Ana Ruiz ended early. "
        "Defence Minister and Deputy Prime Minister Tomas Varga of Hungary stayed away."
    )
    roles = {a.name: (a.role, a.party) for a in accord_nlp(text)._.actors}
    assert roles["Ana Ruiz"] == ("Foreign Minister", "PER")
    assert roles["Tomas Varga"][0] == "Defence Minister and Deputy Prime Minister"


TRANSCRIPT = """Briefing by Foreign Ministry spokeswoman Lena Novak

QUESTION: Has your government received the revised draft?

NOVAK: We have not received any text so far. We will study it once it arrives.

Q: What about the border provisions?

A: Our position on the border has not changed.

Note: the briefing was held in English.
"""


def test_transcript_turns_are_quotes_of_the_labelled_speaker(accord_nlp):
    quotes = accord_nlp(TRANSCRIPT)._.quotes
    assert [(q.speaker, q.kind) for q in quotes] == [("Lena Novak", "direct")] * 2
    assert quotes[0].text == "We have not received any text so far. We will study it once it arrives."
    assert TRANSCRIPT[quotes[0].start:quotes[0].end] == quotes[0].text
    assert TRANSCRIPT[quotes[0].speaker_start:quotes[0].speaker_end] == "NOVAK"
    assert quotes[1].text.startswith("Our position on the border")


def test_an_answer_without_a_named_speaker_is_the_interviewees(accord_nlp):
    text = "Interview with the Chilean minister Rosa Vidal.\n\nQ: Will you sign?\n\nA: Not this year.\n"
    (quote,) = accord_nlp(text)._.quotes
    assert (quote.speaker, quote.text) == ("Rosa Vidal", "Not this year.")


def test_a_dateline_is_not_part_of_the_speaker(accord_nlp):
    text = "LIMA (Reuters) - Chile's foreign minister said on Friday that the proposal deserved a hearing."
    (quote,) = accord_nlp(text)._.quotes
    assert (quote.speaker, quote.party) == ("Chile's foreign minister", "CHL")
