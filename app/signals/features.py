"""Stance cues read beside the sentence vector: who speaks, denies, imagines, regrets, mocks.

Sentence vectors mostly say what a piece is about; whether it is the candidate's own stance is a
smaller part of them. These few counts give the classifier that part directly. They are features,
never a decision: each flag's classifier learns from the corpus how much each one weighs.
"""

import re

import numpy as np
import numpy.typing as npt

_CUES: tuple[str, ...] = (
    # denial and refusal
    r"\b(?:not|never|no|nobody|none|nothing|without|jamais|pas|aucun|aucune|personne|sans|rien"
    r"|ni)\b|n['’]t\b|\bn['’]",
    r"\b(?:refuse[ds]?|refusing|refusé|refuserais?|said no|dit non|talked \w+ out|dissuadée?"
    r"|pushed back|résisté|no way|hors de question|never will)\b",
    # who speaks: the candidate, a team, someone else
    r"\b(?:i|i['’]m|i['’]ve|i['’]d|i['’]ll|me|my|mine|myself|je|j['’]|moi|mon|ma|mes|chuis|jsais)\b",
    r"\b(?:we|our|us|ours|nous|notre|nos|on)\b",
    r"\b(?:he|she|they|his|her|their|them|il|elle|ils|elles|leur|leurs|lui|client|boss|manager"
    r"|colleague|friend|cousin|brother|sister|mentor|predecessor|agency|agence|someone|some people"
    r"|certains|quelqu['’]un|collègue|patron|chef|responsable|ami|amie|cousine|frère|sœur"
    r"|prédécesseur|candidate?|speaker|conférencier)\b",
    r"\b(?:wanted|asked|told|said|says|insisted|claimed|suggested|believed|thinks|voulait|demandé"
    r"|demandait|dit|disait|affirmait|insistait|proposé|conseillé|pense|croit|prétend)\b",
    # imagined, past and learned from, mocked, set against
    r"\b(?:if|would|could|si|s['’]il|imagine)\b|\w+(?:rais|rait|rions|riez|raient)\b|['’]d\b",
    r"\b(?:used to|once|years ago|at first|when i started|first job|mistake|learned|learnt|lesson"
    r"|realised|realized|avant|autrefois|au début|à l['’]époque|erreur|appris|leçon|compris"
    r"|croyais|pensais|junior|until|jusqu['’]à)\b",
    r"\b(?:oh sure|oh yes|oh right|of course|as if|yeah right|sure,|bien sûr|mais oui|ah oui"
    r"|comme si|kidding|joking|je plaisante|blague à part|ironiquement|sarcastically|lol|mdr)\b"
    r"|🙄|\.\.\.|…",
    r"\b(?:but|however|instead|yet|rather|mais|pourtant|plutôt|au lieu|par contre)\b",
    r"\b(?:annoy\w*|cringe\w*|hate|wrong|bad idea|scam\w*|embarrass\w*|suspicious|sceptical"
    r"|agacent|agace|déteste|mauvaise idée|arnaque\w*|ridicule|gênant|méfie\w*|sceptique"
    r"|honte|pire|worst|fatiguent|spammy|intrusifs?)\b",
    r"\?",
)
_PATTERNS = tuple(re.compile(c, re.IGNORECASE) for c in _CUES)
# Each cue is counted in the piece and in the sentences around it (app/signals/segment.py,
# `surroundings`): "Some say it can't be measured." then "Of course it can." reads differently
# from a lone "It can't be measured."
CUE_COUNT = 2 * len(_PATTERNS)


def _counts(texts: list[str]) -> npt.NDArray[np.float64]:
    out = np.zeros((len(texts), len(_PATTERNS)))
    for row, text in enumerate(texts):
        for column, pattern in enumerate(_PATTERNS):
            out[row, column] = min(len(pattern.findall(text)), 3) / 3
    return out


def stance_cues(texts: list[str], around: list[str]) -> npt.NDArray[np.float64]:
    """One row per piece: each cue's count in the piece, then in its surroundings
    (`around[row]`), capped at 3, over 3."""
    return np.hstack([_counts(texts), _counts(around)])
