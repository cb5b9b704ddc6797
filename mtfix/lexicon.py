"""Word lists shared by the stages: known English words (detector, guard), legitimate repeats
(the doubled-word fixer, the guard).

``mtfix/data/words.txt.gz``: the words seen at least twice in the clean English training text
(written by :func:`mtfix.train.data.write_word_list`), loaded once on first use.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

# Repeats that English uses on purpose ('had had', 'that that', 'bye bye', 'very very'), and
# particles that legitimately meet themselves ('log in in', 'it it' across a missing comma).
LEGIT_REPEATS = frozenset(
    """had that is do can bye ha haha no so now there well yeah yes very really many far long knock tut
    chop go come hear bang boo tick tock hush quick pretty wait again more ever round over blah la na
    dum rah yada tsk sh shh ho he hi hey oh ah uh um mm hmm wow yo bla cha tom it on up out off down
    lovely""".split()
)

WORDS_FILE = Path(__file__).resolve().parent / "data" / "words.txt.gz"


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lower-case English words (``mtfix/data/words.txt.gz``)."""
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(f.read().split())


# English irregular verbs: base, simple past, past participle (alternatives with '/'); and irregular
# noun plurals. The guard reads them to accept a form of a word for another form of the same word
# ('drinked' -> 'drank', 'teached' -> 'taught', 'childs' -> 'children'), which suffix rules cannot.
_IRREGULAR_VERBS = """
arise arose arisen|awake awoke awoken|be was/were been|bear bore borne/born|beat beat beaten|become became become
begin began begun|bend bent bent|bet bet bet|bind bound bound|bite bit bitten|bleed bled bled|blow blew blown
break broke broken|breed bred bred|bring brought brought|broadcast broadcast broadcast|build built built
burn burnt/burned burnt/burned|burst burst burst|buy bought bought|catch caught caught|choose chose chosen
cling clung clung|come came come|cost cost cost|creep crept crept|cut cut cut|deal dealt dealt|dig dug dug
do did done|draw drew drawn|dream dreamt/dreamed dreamt/dreamed|drink drank drunk|drive drove driven
eat ate eaten|fall fell fallen|feed fed fed|feel felt felt|fight fought fought|find found found|flee fled fled
fling flung flung|fly flew flown|forbid forbade forbidden|forget forgot forgotten|forgive forgave forgiven
freeze froze frozen|get got got/gotten|give gave given|go went gone|grind ground ground|grow grew grown
hang hung hung|have had had|hear heard heard|hide hid hidden|hit hit hit|hold held held|hurt hurt hurt
keep kept kept|kneel knelt knelt|know knew known|lay laid laid|lead led led|lean leant/leaned leant/leaned
leap leapt/leaped leapt/leaped|learn learnt/learned learnt/learned|leave left left|lend lent lent|let let let
lie lay lain|light lit lit|lose lost lost|make made made|mean meant meant|meet met met|mistake mistook mistaken
overcome overcame overcome|pay paid paid|prove proved proven/proved|put put put|quit quit quit|read read read
ride rode ridden|ring rang rung|rise rose risen|run ran run|say said said|see saw seen|seek sought sought
sell sold sold|send sent sent|set set set|sew sewed sewn|shake shook shaken|shine shone shone|shoot shot shot
show showed shown|shrink shrank shrunk|shut shut shut|sing sang sung|sink sank sunk|sit sat sat|sleep slept slept
slide slid slid|speak spoke spoken|speed sped sped|spell spelt/spelled spelt/spelled|spend spent spent
spill spilt/spilled spilt/spilled|spin spun spun|spit spat spat|split split split|spread spread spread
spring sprang sprung|stand stood stood|steal stole stolen|stick stuck stuck|sting stung stung|stink stank stunk
strike struck struck|strive strove striven|swear swore sworn|sweep swept swept|swim swam swum|swing swung swung
take took taken|teach taught taught|tear tore torn|tell told told|think thought thought|throw threw thrown
tread trod trodden|understand understood understood|undertake undertook undertaken|upset upset upset
wake woke woken|wear wore worn|weave wove woven|weep wept wept|win won won|wind wound wound
withdraw withdrew withdrawn|write wrote written
"""
_IRREGULAR_PLURALS = (
    "child children|man men|woman women|person people|foot feet|tooth teeth|mouse mice|goose geese|ox oxen"
)


def _forms() -> dict[str, frozenset[str]]:
    """Each irregular form (and its base) -> the lemmas it is a form of."""
    out: dict[str, set[str]] = {}
    for entry in (_IRREGULAR_VERBS.replace("\n", "|") + "|" + _IRREGULAR_PLURALS).split("|"):
        if not entry.strip():
            continue
        base, *rest = entry.split()
        for form in [base, *(f for r in rest for f in r.split("/"))]:
            out.setdefault(form, set()).add(base)
    return {k: frozenset(v) for k, v in out.items()}


IRREGULAR_FORMS = _forms()


def _parts() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each irregular verb's simple past and past participle forms, by any of its forms."""
    out: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for entry in _IRREGULAR_VERBS.replace("\n", "|").split("|"):
        if entry.strip():
            base, past, participle = entry.split()
            parts = (frozenset(past.split("/")), frozenset(participle.split("/")))
            out[base] = parts
    return out


#: base -> (simple past forms, past participle forms)
VERB_PARTS = _parts()


def lemmas(word: str) -> frozenset[str]:
    """The irregular lemmas ``word`` is a form of: an irregular form itself ('drank', 'children'), or
    the base regularised by a learner or a system ('drinked', 'teached', 'goed', 'childs', 'mans');
    empty for any other word."""
    found = IRREGULAR_FORMS.get(word)
    if found:
        return found
    for suffix in ("ed", "d", "es", "s", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            stem = word[: -len(suffix)]
            for base in (stem, stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem, stem + "e"):
                if base in IRREGULAR_FORMS and base in IRREGULAR_FORMS[base]:
                    return frozenset({base})
    return frozenset()
