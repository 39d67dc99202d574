"""The sentences a verdict explains itself with, in French and English."""

from collections.abc import Mapping
from types import MappingProxyType
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
        "implied": " (the rating of {titles} means exactly this flag)",
        "undetermined": (
            "No recommendation yet: depending on the criteria still unrated or not observed, it "
            "could be {labels}."
        ),
        "ask_about": "To settle it, ask about {titles}.",
        "determined": (
            "Whatever the criteria still unrated or not observed turn out to be, the "
            "recommendation is {label}."
        ),
        "warnings_add_up": (
            "{count} warning flags add up: the recommendation cannot go above {cap}."
        ),
        "contradiction": (
            "Contradiction{by}: {flag} is raised while {title} is rated {rating}/{max}; the "
            "interviewer’s note on the criterion must explain it."
        ),
        "of": " in {name}’s scorecard",
        "not_observed": (
            "Not observed (asked, no evidence shown): {titles}. They count as unknown, never as "
            "good news."
        ),
        "unrated_v2": "Not rated: {titles}.",
        "or": "{head} or {last}",
        "seed_number": "source text {number}",
        "panel_ratings": "Ratings: {ratings} → {rating} (lower median).",
        "rated_by": "{name} {rating}",
        "named_rating": "{name}: {rating}",
        "not_observed_by": "{name} not observed",
        "agreement_strong": "The panel agrees strongly (alpha {alpha}).",
        "agreement_moderate": (
            "The panel agrees only moderately (alpha {alpha}): treat the verdict as tentative."
        ),
        "agreement_weak": (
            "The panel agrees weakly (alpha {alpha}): talk the ratings over before deciding."
        ),
        "person_agrees": "{name} also recommends {own}.",
        "person_differs": "{name} recommends {own}; the engine says {engine}.",
        "person_silent": "{name} gave no overall recommendation.",
    },
    "fr": {
        "quote": "« {text} »",
        "by": " par {names}",
        "source": "{seed}, point {point}",
        "dealbreaker": (
            "Signal rédhibitoire {title} relevé{by} : la recommandation est de ne pas recruter, "
            "sauf si une personne passe outre en justifiant par écrit (source : {source})."
        ),
        "missing_core": (
            "Critères de fond pas encore notés : {titles}. Pas de recommandation tant qu’ils ne "
            "le sont pas."
        ),
        "nothing_rated": "Aucun critère n’est encore noté.",
        "score": (
            "Score de {score}/100 sur les critères notés, qui couvrent {coverage} du poids "
            "de la grille."
        ),
        "score_penalty": (
            "Les notes seules donnent {base} ; {count} signal(s) d’alerte retirent {total}."
        ),
        "band": (
            "Le score se situe dans la zone {label} (sans réserve dès {strong_hire}, à recruter "
            "dès {hire}, à approfondir dès {hold}, à ne pas recruter en dessous)."
        ),
        "warning": (
            "Signal d’alerte {title} relevé{by} : −{penalty} points, et la recommandation ne peut "
            "pas dépasser {cap} (source : {source})."
        ),
        "weak_core": (
            "{title} noté {rating}/{max}, sous {below} : un critère de fond nettement manqué "
            "limite la recommandation à {cap} au mieux."
        ),
        "criterion": "{title} : {rating}/{max} (poids {weight}, {contribution} points). {anchor}",
        "unrated": "Non notés : {titles} ; le score repose sur les autres critères.",
        "panel_rule": (
            "Panel de {count} : chaque critère prend la médiane des notes données (la plus basse "
            "des deux du milieu quand leur nombre est pair) ; les signaux sont mis en commun."
        ),
        "no_assessment": "Aucune évaluation soumise pour l’instant.",
        "calibration": (
            "{title} : notes de {low} à {high} ({ratings}) ; à discuter avant de décider."
        ),
        "agreement": "Accord du panel (alpha de Krippendorff, ordinal) : {alpha}.",
        "agreement_none": (
            "Accord du panel non calculé : aucun critère n’a été noté par au moins deux personnes."
        ),
        "implied": " (la note donnée à {titles} correspond exactement à ce signal)",
        "undetermined": (
            "Pas encore de recommandation : selon les critères encore non notés ou non observés, "
            "elle pourrait être {labels}."
        ),
        "ask_about": "Pour trancher, interrogez sur {titles}.",
        "determined": (
            "Quelles que soient les notes des critères encore non notés ou non observés, la "
            "recommandation est {label}."
        ),
        "warnings_add_up": (
            "{count} signaux d’alerte s’additionnent : la recommandation ne peut pas "
            "dépasser {cap}."
        ),
        "contradiction": (
            "Contradiction{by} : {flag} est relevé alors que {title} est noté {rating}/{max} ; la "
            "note de l’évaluateur sur ce critère doit l’expliquer."
        ),
        "of": " dans l’évaluation de {name}",
        "not_observed": (
            "Non observés (demandés, sans élément probant) : {titles}. Ils comptent comme "
            "inconnus, jamais comme un bon signe."
        ),
        "unrated_v2": "Non notés : {titles}.",
        "or": "{head} ou {last}",
        "seed_number": "texte source {number}",
        "panel_ratings": "Notes : {ratings} → {rating} (médiane basse).",
        "rated_by": "{name} {rating}",
        "named_rating": "{name} : {rating}",
        "not_observed_by": "{name} non observé",
        "agreement_strong": "Le panel est très concordant (alpha {alpha}).",
        "agreement_moderate": (
            "Le panel n’est que moyennement concordant (alpha {alpha}) : verdict à prendre avec "
            "prudence."
        ),
        "agreement_weak": (
            "Le panel est peu concordant (alpha {alpha}) : discutez des notes avant de décider."
        ),
        "person_agrees": "{name} recommande aussi {own}.",
        "person_differs": "{name} recommande {own} ; le moteur indique {engine}.",
        "person_silent": "{name} n’a pas donné de recommandation globale.",
    },
}


def say(language: Language, key: str, **values: object) -> str:
    """The sentence `key` in `language`, filled with `values`."""
    return _TEMPLATES[language][key].format(**values)


def quoted(language: Language, text: str) -> str:
    """`text` between the quotation marks of `language`."""
    return say(language, "quote", text=text)


def templates(language: Language) -> Mapping[str, str]:
    """Every sentence of `language`, by key (read-only)."""
    return MappingProxyType(_TEMPLATES[language])
