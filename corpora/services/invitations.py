"""Invitations: an owner invites someone into a corpus with a role, by e-mail or by a link.

The token is shown once (and e-mailed when an address is given); only its
SHA-256 is stored, so the table cannot be read back into working links. An
invitation is used once, until it expires or an owner revokes it. Accepting
it signs the person up (a new account) or, when they are signed in, adds
their account; either way in one transaction with the invitation marked used.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from corpora.models import Corpus, Invitation, Membership, Role
from corpora.selectors import invitation_token_hash
from corpora.services.corpora import membership_set

MAX_EXPIRY_DAYS = 90


@dataclass(frozen=True)
class CreatedInvitation:
    invitation: Invitation
    token: str  # exists only in this answer (and the e-mail)


def invitation_create(
    *,
    corpus: Corpus,
    created_by: User,
    role: str,
    email: str = "",
    expires_in_days: int | None = None,
    accept_url: str = "",
) -> CreatedInvitation:
    """A new invitation; with ``email``, the link (``accept_url`` with ``{token}``) is mailed.

    The mail is sent after commit; a mail server that refuses it raises
    nothing here (the owner still sees the link to pass on by hand), it is
    logged by Django's mail backend.
    """
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."}
        )
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": f"{email!r} is not an e-mail address."}) from None
    days = settings.INVITATION_DEFAULT_EXPIRY_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise ValidationError(
            {"expires_in_days": f"An invitation lasts from 1 to {MAX_EXPIRY_DAYS} days."}
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        corpus=corpus,
        role=role,
        email=email,
        token_hash=invitation_token_hash(token),
        created_by=created_by,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    if email and accept_url:
        link = accept_url.replace("{token}", token)
        subject = f"You are invited to the corpus {corpus.name}"
        body = (
            f"{created_by.get_username()} invites you to label in the corpus {corpus.name!r} "
            f"as {invitation.get_role_display().lower()} on annotator.\n\n"
            f"Accept the invitation (sign up, or sign in if you have an account):\n{link}\n\n"
            f"The link works once and until {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=True))
    return CreatedInvitation(invitation=invitation, token=token)


def invitation_revoke(*, corpus: Corpus, invitation_id: int) -> Invitation:
    """Revoke an unused invitation of this corpus; it stops working at once."""
    invitation = Invitation.objects.filter(corpus=corpus, pk=invitation_id).first()
    if invitation is None:
        raise ValidationError({"invitation": "No such invitation in this corpus."})
    if invitation.used_at is not None:
        raise ValidationError({"invitation": "This invitation was already accepted."})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation cannot be accepted, or None."""
    if invitation is None:
        return "This invitation link is not valid. Ask the corpus owner for a new one."
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn. Ask the corpus owner for a new one."
    if invitation.used_at is not None:
        return "This invitation was already used. Ask the corpus owner for a new one."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask the corpus owner for a new one."
    return None


def _claim(token: str) -> Invitation:
    """The invitation for ``token``, row locked, if it can still be accepted."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_hash=invitation_token_hash(token))
        .select_related("corpus")
        .first()
    )
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError({"invitation": problem})
    return invitation  # type: ignore[return-value]


def _use(invitation: Invitation, user: User) -> Membership:
    existing = Membership.objects.filter(corpus=invitation.corpus, user=user).first()
    if existing is not None:
        # The link stays unused: it may have been meant for someone else, and
        # joining must never change a role someone already has.
        raise ValidationError(
            {
                "invitation": f"You are already a member of {invitation.corpus.name} "
                f"({existing.get_role_display().lower()}); the invitation was not used."
            }
        )
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    return membership_set(corpus=invitation.corpus, user=user, role=invitation.role)


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """A signed-in user joins the corpus with the invitation's role."""
    return _use(_claim(token), user)


@transaction.atomic
def invitation_sign_up(
    *, token: str, username: str, email: str, password: str
) -> tuple[User, Membership]:
    """A new account and its membership, from an invitation, all or nothing.

    The password goes through the project's validators (AUTH_PASSWORD_VALIDATORS).
    """
    invitation = _claim(token)
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError({"username": "Choose a user name."})
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The user name {username!r} is taken."})
    email = (email or invitation.email).strip()
    user = user_model(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    user.set_password(password)
    user.save()
    return user, _use(invitation, user)
