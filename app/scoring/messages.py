"""The sentences a verdict explains itself with, in French and English."""

from typing import Final

from app.core.i18n import Language
from app.rubric.schemas import Recommendation

RECOMMENDATION_LABELS: Final[dict[Language, dict[Recommendation, str]]] = {
    "en": {
        "strong_hire": "strong hire",
        "hire": "hire",
        "hold": "hold",
        "no_hire": "no hire",
        "incomplete": "incomplete",
    },
    "fr": {
        "strong_hire": "à recruter sans réserve",
        "hire": "à recruter",
        "hold": "à approfondir",
        "no_hire": "à ne pas recruter",
        "incomplete": "incomplet",
    },
}

_TEMPLATES: Final[dict[Language, dict[str, str]]] = {
    "en": {
        "quote": "“{text}”",
        "by": " by {names}",
        "source": "{seed}, point {point}",
        "dealbreaker": (
            "Dealbreaker {title} raised{by}: the recommendation is no hire unless a person "
            "overrides it with a written reason (source: {source})."
        ),
        "missing_core": "Core criteria not rated yet: {titles}. No recommendation until they are.",
        "nothing_rated": "No criterion is rated yet.",
        "score": (
            "Score {score}/100 from the rated criteria, which cover {coverage} of the rubric’s "
            "weight."
        ),
        "score_penalty": (
            "The ratings alone give {base}; {count} warning flag(s) take off {total}."
        ),
        "band": (
            "The score falls in {label} (strong hire from {strong_hire}, hire from {hire}, "
            "hold from {hold}, no hire below)."
        ),
        "warning": (
            "Warning {title} raised{by}: −{penalty} points, and the recommendation cannot go "
            "above {cap} (source: {source})."
        ),
        "weak_core": (
            "{title} rated {rating}/{max}, under {below}: a core check failing outright keeps "
            "the recommendation at {cap} or below."
        ),
        "criterion": "{title}: {rating}/{max} (weight {weight}, {contribution} points). {anchor}",
        "unrated": "Not rated: {titles}; the score rests on the other criteria.",
        "panel_rule": (
            "Panel of {count}: each criterion takes the median of the ratings given (the lower "
            "of the two middle ones when their number is even); red flags are pooled."
        ),
        "no_assessment": "No submitted assessment yet.",
        "calibration": (
            "{title}: ratings spread from {low} to {high} ({ratings}); "
            "talk it over before deciding."
        ),
        "agreement": "Panel agreement (Krippendorff’s alpha, ordinal): {alpha}.",
        "agreement_none": (
            "Panel agreement not computed: no criterion was rated by two people or more."
        ),
    },
    "fr": {
        "quote": "« {text} »",
        "by": " par {names}",
        "source": "{seed}, point {point}",
        "dealbreaker": (
            "Signal rédhibitoire {title} relevé{by} : la recommandation est de ne pas recruter, "
            "sauf si une personne passe outre en justifiant par écrit (source : {source})."
        ),
        "missing_core": (
            "Critères de fond pas encore notés : {titles}. Pas de recommandation tant qu’ils ne "
            "le sont pas."
        ),
        "nothing_rated": "Aucun critère n’est encore noté.",
        "score": (
            "Score de {score}/100 sur les critères notés, qui couvrent {coverage} du poids "
            "de la grille."
        ),
        "score_penalty": (
            "Les notes seules donnent {base} ; {count} signal(s) d’alerte retirent {total}."
        ),
        "band": (
            "Le score se situe dans la zone {label} (sans réserve dès {strong_hire}, à recruter "
            "dès {hire}, à approfondir dès {hold}, à ne pas recruter en dessous)."
        ),
        "warning": (
            "Signal d’alerte {title} relevé{by} : −{penalty} points, et la recommandation ne peut "
            "pas dépasser {cap} (source : {source})."
        ),
        "weak_core": (
            "{title} noté {rating}/{max}, sous {below} : un critère de fond nettement manqué "
            "limite la recommandation à {cap} au mieux."
        ),
        "criterion": "{title} : {rating}/{max} (poids {weight}, {contribution} points). {anchor}",
        "unrated": "Non notés : {titles} ; le score repose sur les autres critères.",
        "panel_rule": (
            "Panel de {count} : chaque critère prend la médiane des notes données (la plus basse "
            "des deux du milieu quand leur nombre est pair) ; les signaux sont mis en commun."
        ),
        "no_assessment": "Aucune évaluation soumise pour l’instant.",
        "calibration": (
            "{title} : notes de {low} à {high} ({ratings}) ; à discuter avant de décider."
        ),
        "agreement": "Accord du panel (alpha de Krippendorff, ordinal) : {alpha}.",
        "agreement_none": (
            "Accord du panel non calculé : aucun critère n’a été noté par au moins deux personnes."
        ),
    },
}


def say(language: Language, key: str, **values: object) -> str:
    """The sentence `key` in `language`, filled with `values`."""
    return _TEMPLATES[language][key].format(**values)


def quoted(language: Language, text: str) -> str:
    """`text` between the quotation marks of `language`."""
    return say(language, "quote", text=text)
