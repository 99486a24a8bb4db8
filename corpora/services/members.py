"""Adding, re-roling and removing corpus members by what an owner types.

The rules (the last owner stays) live in ``membership_set`` and
``membership_remove``; this module finds the people.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404

from corpora.models import Corpus, Membership, Role
from corpora.services.corpora import membership_remove, membership_set


def member_add(*, corpus: Corpus, who: str, role: str) -> Membership:
    """Add the user with this username or email; refuses unknown and existing members."""
    who = (who or "").strip()
    if not who:
        raise ValidationError({"user": "Give the user name or email address of the person."})
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."}
        )
    users = list(
        get_user_model().objects.filter(Q(username__iexact=who) | Q(email__iexact=who))[:2]
    )
    if not users:
        raise ValidationError(
            {"user": f"Nobody with the user name or email {who!r} has an account here."}
        )
    if len(users) > 1:
        raise ValidationError({"user": f"{who!r} matches several accounts; use the user name."})
    user = users[0]
    existing = Membership.objects.filter(corpus=corpus, user=user).first()
    if existing is not None:
        raise ValidationError(
            {
                "user": f"{user.get_username()} is already a member ({existing.role}); "
                "change their role in the list instead."
            }
        )
    return membership_set(corpus=corpus, user=user, role=role)


def _member(corpus: Corpus, user_id: int) -> Membership:
    membership = (
        Membership.objects.filter(corpus=corpus, user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such member in this corpus.")
    return membership


def member_role_change(*, corpus: Corpus, user_id: int, role: str | None) -> Membership:
    """Give the member ``role``; None (a PATCH without it) changes nothing."""
    membership = _member(corpus, user_id)
    if role is None:
        return membership
    return membership_set(corpus=corpus, user=membership.user, role=role)


def member_remove(*, corpus: Corpus, user_id: int) -> None:
    membership = _member(corpus, user_id)
    membership_remove(corpus=corpus, user=membership.user)
