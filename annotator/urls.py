from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", accounts_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("api/", include("annotator.api.urls")),
    path("", include("ops.urls")),
    path("", include("imports.urls")),
    path("", include("corpora.urls")),
    path("", include("suggestions.urls")),
    path("", include("review.urls")),
    path("", include("articles.urls")),
]

# An unexpected exception: JSON with the request id under /api/, a plain page elsewhere.
handler500 = "annotator.api.errors.server_error"
# 403 and 404: a styled page with the view's reason and what to do (JSON under /api/).
handler403 = "annotator.api.errors.permission_denied"
handler404 = "annotator.api.errors.page_not_found"
