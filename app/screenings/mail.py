"""Invitations by email, through the SMTP server of the settings (none configured: not sent)."""

import smtplib
from email.message import EmailMessage

from app.core.config import Settings
from app.core.i18n import Language

SUBJECT = {
    "fr": "{employer} — quelques questions avant votre entretien ({role})",
    "en": "{employer} — a few questions before your interview ({role})",
}
BODY = {
    "fr": (
        "Bonjour {name},\n\n"
        "Avant votre entretien pour le poste « {role} », {employer} vous propose quelques "
        "questions ouvertes sur votre façon de travailler. Le lien ci-dessous sert une fois et "
        "reste valable jusqu’au {expires}.\n\n{link}\n\n"
        "Vos réponses sont lues par les personnes qui vous recevront ; un programme y repère "
        "aussi des mots qu’elles vérifieront avec vous. Aucune décision n’est prise par ce "
        "programme.\n"
    ),
    "en": (
        "Hello {name},\n\n"
        "Before your interview for the role “{role}”, {employer} invites you to answer a few "
        "open questions about how you work. The link below works once and until {expires}.\n\n"
        "{link}\n\n"
        "Your answers are read by the people who will meet you; a program also points out words "
        "they will check with you. No decision is made by that program.\n"
    ),
}


class MailNotSent(Exception):
    """The SMTP server refused the message or could not be reached."""


def configured(settings: Settings) -> bool:
    """True when an SMTP server is set."""
    return bool(settings.smtp_host)


def send_invitation(
    settings: Settings,
    *,
    to: str,
    name: str,
    role: str,
    link: str,
    expires: str,
    language: Language,
) -> None:
    """Send the self-screen link to the candidate; MailNotSent when it could not be sent."""
    employer = settings.employer or ("l’équipe de recrutement" if language == "fr" else "we")
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = SUBJECT[language].format(employer=settings.employer or "Tamis", role=role)
    message.set_content(
        BODY[language].format(name=name, role=role, employer=employer, link=link, expires=expires)
    )
    try:
        with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailNotSent(str(exc)) from exc
