"""Sessions read from the shared cache (Redis), kept in the database.

Every browser request (a label write too) loads its session; with Django's
database engine that is one SELECT of ``django_session`` per request. When
``CACHE_URL`` names a Redis shared by every web process, the settings choose
this engine instead: Django's ``cached_db`` (read from the cache, fall back to
the database; every save writes both), with two changes so that the cache can
never keep a session alive or break a request:

- sign-out (``delete``) removes the cached copy before the database row;
- a cache that is unreachable is a miss (the database answers), and failing
  to write a copy into it is only logged, so sign-in and sign-out keep working;
- a cached copy lives at most ``CACHED_SECONDS``: a sign-out while the cache
  was unreachable (its copy could not be removed) ends that session
  everywhere within that time, not at the session's own expiry.

Never used with the per-process ``locmem://`` cache: a session signed out in
one process would stay valid in another.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)

CACHED_SECONDS = 300


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - unreachable or odd key: a miss
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache_copy(data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key):
        # Only asked for a new key: the database (which keeps every session) answers.
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)
        self._cache_copy(self._session, self.get_expiry_age())

    def _cache_copy(self, data, expiry_age: int) -> None:
        try:
            self._cache.set(self.cache_key, data, min(expiry_age, CACHED_SECONDS))
        except Exception:
            logger.warning("Session not copied to the cache (%s)", self._cache, exc_info=True)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.error(
                "Signed-out session still in the cache for up to %s s (%s)",
                CACHED_SECONDS,
                self._cache,
                exc_info=True,
            )
        super(cached_db.SessionStore, self).delete(session_key)
