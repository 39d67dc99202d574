"""Every fixed text of the web pages, in French and English."""

from typing import Final

from app.core.i18n import Language

TEXT: Final[dict[Language, dict[str, str]]] = {
    "en": {
        "colon": ": ",
        "skip": "Skip to the content",
        "nav": "Main menu",
        "candidates": "Candidates",
        "positions": "Positions",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "signed_in_as": "Signed in as",
        "language": "Language",
        "email": "Email",
        "password": "Password",
        "bad_credentials": "The email or the password is not right.",
        "too_many_attempts": "Too many failed attempts: wait a few minutes, then try again.",
        "session_expired": "Your form had expired; please try again.",
        "search": "Search",
        "search_label": "Name, email or external id",
        "filter": "Filter",
        "all": "All",
        "position": "Position",
        "status": "Status",
        "recommendation": "Recommendation",
        "none_yet": "none yet",
        "no_candidates": "No candidate matches.",
        "add_candidate": "Add a candidate",
        "full_name": "Full name",
        "external_id": "External id (optional)",
        "email_optional": "Email (optional)",
        "add": "Add",
        "add_position": "Open a position",
        "title": "Title",
        "no_positions": "Open a position first: candidates are screened for a position.",
        "open": "Open",
        "created": "Added",
        "details": "Details",
        "warnings": "Readiness warnings for this position",
        "verdict": "Panel verdict",
        "verdict_hidden": (
            "Blind scoring: the panel verdict and the other scorecards appear once you have "
            "submitted your own assessment."
        ),
        "advice": "This recommendation is advice. A named person records every decision.",
        "score": "Score",
        "coverage": "Coverage",
        "agreement": "Agreement",
        "reasons": "Why",
        "calibration": "Talk these through: the ratings spread widely",
        "assessments": "Assessments",
        "no_assessments": "No assessment yet.",
        "draft": "draft",
        "submitted": "submitted",
        "your_assessment": "Your assessment",
        "fill_assessment": "Fill in your assessment",
        "continue_assessment": "Continue your assessment",
        "see_assessment": "See your assessment",
        "decisions": "Decisions",
        "no_decisions": "No decision recorded yet.",
        "record_decision": "Record a decision",
        "decision": "Decision",
        "decided_by": "Decided by",
        "rationale": "Rationale",
        "rationale_help": (
            "Required when the decision goes against the recommendation, or when it is incomplete."
        ),
        "record": "Record the decision",
        "against": "against the recommendation",
        "reports": "Reports",
        "report_pdf": "Download the PDF report",
        "report_html": "Open the printable report",
        "criteria": "Criteria",
        "questions": "Questions to ask",
        "not_rated": "Not rated",
        "notes": "Notes",
        "core": "core",
        "depth": "depth",
        "flags": "Red flags",
        "flags_help": "Raise a flag only for what you heard; check first what each one says.",
        "verify": "Before raising it",
        "flag_note": "What was said",
        "summary": "Summary",
        "save_draft": "Save as draft",
        "submit": "Submit",
        "preview": "Verdict preview",
        "preview_help": "Updated as you fill in the form, by the same engine as the final verdict.",
        "saved": "Saved.",
        "errors_above": "Some fields need attention: see the messages next to them.",
        "submitted_note": "Submitted: the assessment can no longer be edited.",
        "forbidden": "You may not do this with your role.",
        "not_found": "This page does not exist.",
        "back": "Back to the candidates",
        "interviewer": "Interviewer",
        "submitted_on": "Submitted on",
        "rating_required": "A rating (or “not observed”) is required to submit.",
        "candidate_erased": "Erased candidate",
        "readiness": "Role questions",
        "self_screen": "Before your interview",
        "self_screen_intro": (
            "A few open questions about how you work. There are no right answers: say it in your "
            "own words. You can answer once; the interviewers read your answers before meeting you."
        ),
        "send_answers": "Send my answers",
        "answer_too_long": "This answer is too long (4,000 characters at most).",
        "answer_has_nul": (
            "This answer contains a control character (NUL) that cannot be kept: remove it "
            "and send again."
        ),
        "thanks": "Thank you: your answers are recorded. The hiring team will be in touch.",
        "link_forged": "This link is not valid. Check that you copied all of it.",
        "link_expired": "This link has expired. Ask the hiring team for a new one.",
        "link_used": "This link was already used: the answers were sent. Thank you.",
        "too_many": "Too many attempts from your connection. Please wait a minute and try again.",
        "invite": "Invite to the self-screen",
        "invite_help": "Creates a single-use link, valid for 7 days, to send to the candidate.",
        "invite_link": "Send this link to the candidate (it is shown only now)",
        "screening_answers": "The candidate's self-screen",
        "screening_pending": "Invitation sent, not answered yet.",
        "suggested": "Suggested red flag",
        "confirm_suggestion": "Confirm this red flag in my assessment",
        "suggestions_help": (
            "Words highlighted below may show a red flag. They are suggestions: confirm one only "
            "if the interview bears it out."
        ),
        "yes": "yes",
        "no": "no",
        "unknown": "unknown",
        "note_for_contradiction": (
            "A raised red flag contradicts this rating: explain it in the note."
        ),
        "self_screen_who": (
            "{employer} invites you to answer these questions before your interview for "
            "the role “{role}”."
        ),
        "the_hiring_team": "The hiring team",
        "self_screen_expiry": "This link works once, until {expires}.",
        "how_read_title": "How your answers are read",
        "how_read": (
            "The people who will meet you read your answers. A program also points out, "
            "for them, words that may call for a question; they check each point with you. "
            "No decision is made by that program."
        ),
        "skip_question": "I prefer not to answer this question",
        "answer_or_skip": "Answer this question, or tick “I prefer not to answer”.",
        "review_answers": "Review my answers",
        "review_answers_title": "Your answers, before sending",
        "review_answers_intro": "Check your answers: once sent, they cannot be changed.",
        "skipped": "Not answered (your choice).",
        "change_answers": "Change my answers",
        "invite_mailed": "The invitation was sent by email to {email}.",
        "invite_mail_failed": (
            "The email could not be sent: copy the link below and send it yourself."
        ),
        "invite_by_email": "Send it by email to {email}",
        "description": "Description",
        "readiness_help": "About the job itself: a “no” is a warning shown with every candidate.",
        "answer_yes": "yes",
        "answer_no": "no",
        "answer_unknown": "don’t know yet",
        "archived_positions": "Archived positions",
        "archived": "archived",
        "position_candidates": "This position’s candidates",
        "edit_position": "Edit the position",
        "save_position": "Save the position",
        "archive_position": "Archive the position",
        "archive_help": "An archived position takes no new candidates; everything recorded stays.",
        "restore_position": "Reopen the position",
        "agrees": "same as the panel verdict",
        "disagrees": "differs from the panel verdict",
        "not_observed_choice": "Not observed (asked, no evidence shown)",
        "contradiction_criterion": (
            "This rating contradicts a red flag you raised: say why in the notes."
        ),
        "contradiction_flag": (
            "This flag contradicts one of your ratings: see that criterion's notes."
        ),
        "implied_flag": "Implied by one of your ratings.",
        "contradiction_line": "“{flag}” raised, yet “{criterion}” rated {rating}",
        "settle": "To settle it, ask about",
        "own_recommendation_question": "Your own overall recommendation",
        "no_own_recommendation": "None given",
        "views": "Lists",
        "all_candidates": "All candidates",
        "awaiting_mine": "Awaiting my scorecard",
        "sort_by": "Sort by",
        "sort_newest": "Newest first",
        "sort_oldest": "Oldest first",
        "sort_name": "Name (A to Z)",
        "sort_updated": "Recently changed",
        "count": "{n} candidates",
        "count_one": "1 candidate",
        "showing": "showing {first} to {last}",
        "pages_nav": "Pages of the list",
        "previous_page": "Previous page ({n})",
        "next_page": "Next page ({n})",
        "page_of": "Page {n} of {total}",
        "duplicate_warning": "This candidate may already be in the list for this position:",
        "add_anyway": "It is another person: add anyway",
        "withdraw": "The candidate withdrew",
        "withdraw_help": "Marks the candidate as withdrawn; everything recorded stays.",
        "agreement_single": "One assessment so far: no agreement to measure.",
        "agreement_none": "Not measured: no criterion was rated by two interviewers.",
        "agreement_strong": "The interviewers agree closely.",
        "agreement_fair": "The interviewers mostly agree; some ratings differ.",
        "agreement_weak": "The interviewers agree little: talk the ratings through.",
        "agreement_opposed": "The interviewers disagree: talk the ratings through before deciding.",
        "main_reasons": "Main reasons",
        "all_reasons": "All the reasons ({n})",
        "side_by_side": "Ratings side by side",
        "calibration_first": (
            "Criteria where the ratings spread widely come first: talk them through."
        ),
        "to_discuss": "to discuss",
        "not_observed": "Not observed",
        "own_recommendation": "Own recommendation",
        "key_takeaways": "Key take-aways",
        "current_decision": "Current decision",
        "earlier_decision": "Replaced",
        "replaces": "A decision is already recorded ({decision}, by {by}): this one replaces it.",
        "rationale_needed_now": (
            "This decision does not follow the recommendation: write a rationale."
        ),
        "confirm_decision": "I confirm this decision, recorded in my name ({name}).",
        "confirm_required": "Tick the box to confirm the decision.",
        "invitation_pending": "sent, not answered",
        "invitation_answered": "answered",
        "invitation_expired": "expired",
        "sent_on": "Sent",
        "expires_on": "expires",
        "read_answers": "Read the answers",
        "no_invitation": "No invitation sent yet.",
        "copy_link": "Copy the link",
        "copied": "Copied.",
        "saved_at": "Saved at {time}",
        "autosave_help": "Your draft is saved as you type.",
        "saving": "Saving…",
        "not_saved": "Not saved yet: your changes are kept in this browser.",
        "session_lost": (
            "Your session has ended: your changes are kept in this browser. "
            "Sign in again to save them."
        ),
        "sign_in_again": "Sign in again",
        "restored": "Changes you had not saved were restored from this browser. Save them.",
        "unsaved_warning": "You have unsaved changes. Leave anyway?",
        "review_title": "Check before submitting",
        "review_intro": (
            "Once submitted, the assessment is part of the panel verdict; it can then only be "
            "changed by an amendment with a reason."
        ),
        "review_unrated": "Not rated",
        "review_not_observed": "Not observed",
        "review_contradictions": "Contradictions",
        "review_no_summary": "No key take-aways written",
        "review_blocking": "A core criterion must be rated before submitting:",
        "review_all_good": "Every criterion is rated and the summary is written.",
        "confirm_submit": "Confirm and submit",
        "back_to_form": "Back to the form",
        "amend": "Amend my assessment",
        "amend_reason": "Reason for the amendment",
        "amend_help": "The earlier version stays readable; the reason is kept with it.",
        "save_amendment": "Save the amendment",
        "sections": "Sections of the form",
        "rated_count": "{rated} of {total} rated",
        "required": "Required.",
        "too_short": "At least {n} characters.",
        "too_long": "At most {n} characters.",
        "choose_position": "Choose a position.",
        "choose_one": "Choose one of the options.",
        "invalid_email": "Not a valid email address.",
        "invalid": "Not a valid value.",
        "duplicate_external_id": "This external id is already used for this position.",
        "already_assessed": "You have already assessed this candidate.",
        "rationale_required": "A rationale is required for this decision.",
        "error_summary": "Please correct the following:",
    },
    "fr": {
        "colon": "\u202f: ",
        "skip": "Aller au contenu",
        "nav": "Menu principal",
        "candidates": "Candidatures",
        "positions": "Postes",
        "sign_in": "Se connecter",
        "sign_out": "Se déconnecter",
        "signed_in_as": "Connecté·e en tant que",
        "language": "Langue",
        "email": "Courriel",
        "password": "Mot de passe",
        "bad_credentials": "Le courriel ou le mot de passe n’est pas le bon.",
        "too_many_attempts": "Trop d’essais manqués : patientez quelques minutes, puis réessayez.",
        "session_expired": "Votre formulaire avait expiré\u202f; merci de recommencer.",
        "search": "Rechercher",
        "search_label": "Nom, courriel ou identifiant externe",
        "filter": "Filtrer",
        "all": "Tous",
        "position": "Poste",
        "status": "Statut",
        "recommendation": "Recommandation",
        "none_yet": "pas encore",
        "no_candidates": "Aucune candidature ne correspond.",
        "add_candidate": "Ajouter une candidature",
        "full_name": "Nom complet",
        "external_id": "Identifiant externe (facultatif)",
        "email_optional": "Courriel (facultatif)",
        "add": "Ajouter",
        "add_position": "Ouvrir un poste",
        "title": "Intitulé",
        "no_positions": (
            "Ouvrez d’abord un poste\u202f: chaque candidature est évaluée pour un poste."
        ),
        "open": "Ouvrir",
        "created": "Ajoutée le",
        "details": "Informations",
        "warnings": "Points d’attention sur ce poste",
        "verdict": "Avis du jury",
        "verdict_hidden": (
            "Évaluation à l’aveugle\u202f: l’avis du jury et les autres grilles apparaissent "
            "une fois votre propre évaluation soumise."
        ),
        "advice": (
            "Cette recommandation est un avis. Chaque décision est prise par une personne nommée."
        ),
        "score": "Score",
        "coverage": "Couverture",
        "agreement": "Accord",
        "reasons": "Pourquoi",
        "calibration": "À discuter\u202f: les notes divergent fortement",
        "assessments": "Évaluations",
        "no_assessments": "Aucune évaluation pour l’instant.",
        "draft": "brouillon",
        "submitted": "soumise",
        "your_assessment": "Votre évaluation",
        "fill_assessment": "Remplir votre évaluation",
        "continue_assessment": "Reprendre votre évaluation",
        "see_assessment": "Voir votre évaluation",
        "decisions": "Décisions",
        "no_decisions": "Aucune décision enregistrée.",
        "record_decision": "Enregistrer une décision",
        "decision": "Décision",
        "decided_by": "Décidé par",
        "rationale": "Justification",
        "rationale_help": (
            "Obligatoire quand la décision va contre la recommandation, ou quand celle-ci est "
            "incomplète."
        ),
        "record": "Enregistrer la décision",
        "against": "contraire à la recommandation",
        "reports": "Rapports",
        "report_pdf": "Télécharger le rapport PDF",
        "report_html": "Ouvrir le rapport imprimable",
        "criteria": "Critères",
        "questions": "Questions à poser",
        "not_rated": "Non noté",
        "notes": "Notes",
        "core": "essentiel",
        "depth": "approfondissement",
        "flags": "Signaux d’alerte",
        "flags_help": (
            "Ne relevez un signal que pour ce que vous avez entendu\u202f; "
            "vérifiez d’abord ce qu’il dit."
        ),
        "verify": "Avant de le relever",
        "flag_note": "Ce qui a été dit",
        "summary": "Synthèse",
        "save_draft": "Enregistrer le brouillon",
        "submit": "Soumettre",
        "preview": "Aperçu de l’avis",
        "preview_help": "Mis à jour pendant la saisie, par le même moteur que l’avis final.",
        "saved": "Enregistré.",
        "errors_above": (
            "Certains champs demandent votre attention\u202f: voir les messages à côté."
        ),
        "submitted_note": "Soumise\u202f: l’évaluation ne peut plus être modifiée.",
        "forbidden": "Votre rôle ne permet pas cette action.",
        "not_found": "Cette page n’existe pas.",
        "back": "Retour aux candidatures",
        "interviewer": "Évaluateur·rice",
        "submitted_on": "Soumise le",
        "rating_required": "Une note (ou «\u202fnon observé\u202f») est nécessaire pour soumettre.",
        "candidate_erased": "Candidature effacée",
        "readiness": "Questions sur le rôle",
        "self_screen": "Avant votre entretien",
        "self_screen_intro": (
            "Quelques questions ouvertes sur votre façon de travailler. Il n’y a pas de bonne "
            "réponse\u202f: dites-le avec vos mots. Vous répondez une fois\u202f; les personnes "
            "qui vous recevront liront vos réponses avant l’entretien."
        ),
        "send_answers": "Envoyer mes réponses",
        "answer_too_long": "Cette réponse est trop longue (4 000 caractères au plus).",
        "answer_has_nul": (
            "Cette réponse contient un caractère de contrôle (NUL) qui ne peut pas être "
            "conservé\u202f: retirez-le et renvoyez-la."
        ),
        "thanks": (
            "Merci\u202f: vos réponses sont enregistrées. "
            "L’équipe de recrutement reviendra vers vous."
        ),
        "link_forged": "Ce lien n’est pas valide. Vérifiez que vous l’avez copié en entier.",
        "link_expired": "Ce lien a expiré. Demandez-en un nouveau à l’équipe de recrutement.",
        "link_used": "Ce lien a déjà servi\u202f: les réponses ont été envoyées. Merci.",
        "too_many": (
            "Trop de tentatives depuis votre connexion. Patientez une minute puis réessayez."
        ),
        "invite": "Inviter au questionnaire préalable",
        "invite_help": "Crée un lien à usage unique, valable 7 jours, à envoyer à la personne.",
        "invite_link": "Envoyez ce lien à la personne (il n’est affiché que maintenant)",
        "screening_answers": "Le questionnaire préalable",
        "screening_pending": "Invitation envoyée, pas encore de réponse.",
        "suggested": "Signal d’alerte suggéré",
        "confirm_suggestion": "Confirmer ce signal dans mon évaluation",
        "suggestions_help": (
            "Les mots surlignés ci-dessous peuvent révéler un signal d’alerte. Ce sont des "
            "suggestions\u202f: n’en confirmez une que si l’entretien la vérifie."
        ),
        "yes": "oui",
        "no": "non",
        "unknown": "inconnu",
        "note_for_contradiction": (
            "Un signal relevé contredit cette note\u202f: expliquez-le dans la note."
        ),
        "self_screen_who": (
            "{employer} vous invite à répondre à ces questions avant votre entretien pour "
            "le poste «\u202f{role}\u202f»."
        ),
        "the_hiring_team": "L’équipe de recrutement",
        "self_screen_expiry": "Ce lien sert une fois, jusqu’au {expires}.",
        "how_read_title": "Comment vos réponses sont lues",
        "how_read": (
            "Les personnes qui vous recevront lisent vos réponses. Un programme leur "
            "signale aussi des mots qui peuvent appeler une question\u202f; elles "
            "vérifient chaque point avec vous. Aucune décision n’est prise par ce "
            "programme."
        ),
        "skip_question": "Je préfère ne pas répondre à cette question",
        "answer_or_skip": (
            "Répondez à cette question, ou cochez «\u202fJe préfère ne pas répondre\u202f»."
        ),
        "review_answers": "Relire mes réponses",
        "review_answers_title": "Vos réponses, avant l’envoi",
        "review_answers_intro": (
            "Vérifiez vos réponses\u202f: une fois envoyées, elles ne peuvent plus changer."
        ),
        "skipped": "Sans réponse (votre choix).",
        "change_answers": "Modifier mes réponses",
        "invite_mailed": "L’invitation a été envoyée par courriel à {email}.",
        "invite_mail_failed": (
            "Le courriel n’a pas pu partir\u202f: copiez le lien ci-dessous "
            "et envoyez-le vous-même."
        ),
        "invite_by_email": "L’envoyer par courriel à {email}",
        "description": "Description",
        "readiness_help": (
            "Sur le poste lui-même\u202f: un «\u202fnon\u202f» est un point d’attention "
            "affiché avec chaque candidature."
        ),
        "answer_yes": "oui",
        "answer_no": "non",
        "answer_unknown": "je ne sais pas encore",
        "archived_positions": "Postes archivés",
        "archived": "archivé",
        "position_candidates": "Les candidatures de ce poste",
        "edit_position": "Modifier le poste",
        "save_position": "Enregistrer le poste",
        "archive_position": "Archiver le poste",
        "archive_help": (
            "Un poste archivé ne reçoit plus de candidature\u202f; "
            "tout ce qui est enregistré reste."
        ),
        "restore_position": "Rouvrir le poste",
        "agrees": "comme l’avis du jury",
        "disagrees": "diffère de l’avis du jury",
        "not_observed_choice": "Non observé (question posée, rien de probant)",
        "contradiction_criterion": (
            "Cette note contredit un signal que vous avez relevé\u202f: "
            "expliquez-le dans les notes."
        ),
        "contradiction_flag": (
            "Ce signal contredit l’une de vos notes\u202f: voir les notes du critère."
        ),
        "implied_flag": "Découle de l’une de vos notes.",
        "contradiction_line": (
            "«\u202f{flag}\u202f» relevé, mais «\u202f{criterion}\u202f» noté {rating}"
        ),
        "settle": "Pour trancher, interrogez sur",
        "own_recommendation_question": "Votre propre recommandation",
        "no_own_recommendation": "Aucune",
        "views": "Listes",
        "all_candidates": "Toutes les candidatures",
        "awaiting_mine": "En attente de mon évaluation",
        "sort_by": "Trier par",
        "sort_newest": "Plus récentes d’abord",
        "sort_oldest": "Plus anciennes d’abord",
        "sort_name": "Nom (de A à Z)",
        "sort_updated": "Modifiées récemment",
        "count": "{n}\u00a0candidatures",
        "count_one": "1\u00a0candidature",
        "showing": "affichées\u202f: {first} à {last}",
        "pages_nav": "Pages de la liste",
        "previous_page": "Page précédente ({n})",
        "next_page": "Page suivante ({n})",
        "page_of": "Page {n} sur {total}",
        "duplicate_warning": (
            "Cette personne figure peut-être déjà dans la liste pour ce poste\u202f:"
        ),
        "add_anyway": "C’est une autre personne\u202f: ajouter quand même",
        "withdraw": "La personne s’est retirée",
        "withdraw_help": (
            "Marque la candidature comme retirée\u202f; tout ce qui est enregistré reste."
        ),
        "agreement_single": "Une seule évaluation pour l’instant\u202f: pas d’accord à mesurer.",
        "agreement_none": "Non mesuré\u202f: aucun critère n’a été noté par deux personnes.",
        "agreement_strong": "Les évaluations concordent nettement.",
        "agreement_fair": (
            "Les évaluations concordent dans l’ensemble\u202f; quelques notes diffèrent."
        ),
        "agreement_weak": "Les évaluations concordent peu\u202f: discutez les notes.",
        "agreement_opposed": (
            "Les évaluations divergent\u202f: discutez les notes avant de décider."
        ),
        "main_reasons": "Principales raisons",
        "all_reasons": "Toutes les raisons ({n})",
        "side_by_side": "Les notes côte à côte",
        "calibration_first": (
            "Les critères où les notes divergent fortement viennent d’abord\u202f: discutez-les."
        ),
        "to_discuss": "à discuter",
        "not_observed": "Non observé",
        "own_recommendation": "Sa recommandation",
        "key_takeaways": "Points clés",
        "current_decision": "Décision en vigueur",
        "earlier_decision": "Remplacée",
        "replaces": (
            "Une décision est déjà enregistrée ({decision}, par {by})\u202f: celle-ci la remplace."
        ),
        "rationale_needed_now": (
            "Cette décision ne suit pas la recommandation\u202f: rédigez une justification."
        ),
        "confirm_decision": "Je confirme cette décision, enregistrée à mon nom ({name}).",
        "confirm_required": "Cochez la case pour confirmer la décision.",
        "invitation_pending": "envoyée, sans réponse",
        "invitation_answered": "répondue",
        "invitation_expired": "expirée",
        "sent_on": "Envoyée le",
        "expires_on": "expire le",
        "read_answers": "Lire les réponses",
        "no_invitation": "Aucune invitation envoyée.",
        "copy_link": "Copier le lien",
        "copied": "Copié.",
        "saved_at": "Enregistré à {time}",
        "autosave_help": "Votre brouillon est enregistré au fil de la saisie.",
        "saving": "Enregistrement…",
        "not_saved": (
            "Pas encore enregistré\u202f: vos modifications sont gardées dans ce navigateur."
        ),
        "session_lost": (
            "Votre session a pris fin\u202f: vos modifications sont gardées dans ce navigateur. "
            "Reconnectez-vous pour les enregistrer."
        ),
        "sign_in_again": "Se reconnecter",
        "restored": (
            "Des modifications non enregistrées ont été restaurées depuis ce navigateur. "
            "Enregistrez-les."
        ),
        "unsaved_warning": "Des modifications ne sont pas enregistrées. Quitter quand même\u202f?",
        "review_title": "Vérifier avant de soumettre",
        "review_intro": (
            "Une fois soumise, l’évaluation entre dans l’avis du jury\u202f; elle ne peut plus "
            "changer que par une modification motivée."
        ),
        "review_unrated": "Non notés",
        "review_not_observed": "Non observés",
        "review_contradictions": "Contradictions",
        "review_no_summary": "Aucun point clé rédigé",
        "review_blocking": "Un critère essentiel doit être noté avant de soumettre\u202f:",
        "review_all_good": "Tous les critères sont notés et la synthèse est rédigée.",
        "confirm_submit": "Confirmer et soumettre",
        "back_to_form": "Revenir au formulaire",
        "amend": "Modifier mon évaluation",
        "amend_reason": "Motif de la modification",
        "amend_help": (
            "La version précédente reste consultable\u202f; le motif est conservé avec elle."
        ),
        "save_amendment": "Enregistrer la modification",
        "sections": "Parties du formulaire",
        "rated_count": "{rated} sur {total} notés",
        "required": "Obligatoire.",
        "too_short": "Au moins {n}\u00a0caractères.",
        "too_long": "Au plus {n}\u00a0caractères.",
        "choose_position": "Choisissez un poste.",
        "choose_one": "Choisissez l’une des options.",
        "invalid_email": "Cette adresse de courriel n’est pas valide.",
        "invalid": "Cette valeur n’est pas valide.",
        "duplicate_external_id": "Cet identifiant externe est déjà utilisé pour ce poste.",
        "already_assessed": "Vous avez déjà évalué cette candidature.",
        "rationale_required": "Une justification est nécessaire pour cette décision.",
        "error_summary": "Merci de corriger ce qui suit\u202f:",
    },
}
