from django.urls import path

from accounts import views

urlpatterns = [
    path("tokens/", views.tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_delete, name="api_token_revoke"),
]
