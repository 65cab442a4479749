from django.urls import path

from .views import account, invitation, legal, login, password, registration, sessions, two_factor, unlock

app_name = "accounts"

urlpatterns = [
    path("", account.account, name="account"),
    path("password/", account.password_change, name="password_change"),
    path("security-question/", account.security_question_change, name="security_question_change"),
    path("profile/", account.profile_change, name="profile_change"),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/<int:session_id>/end/", sessions.session_end, name="session_end"),
    path("sessions/end-others/", sessions.sessions_end_others, name="sessions_end_others"),
    path("login/", login.LoginView.as_view(), name="login"),
    path("login/verify/", login.login_verify, name="login_verify"),
    path("two-factor/", two_factor.two_factor_settings, name="two_factor"),
    path("two-factor/setup/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", two_factor.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("two-factor/disable/", two_factor.two_factor_disable, name="two_factor_disable"),
    path("two-factor/forget-devices/", two_factor.two_factor_forget_devices, name="two_factor_forget_devices"),
    path("logout/", login.LogoutView.as_view(), name="logout"),
    path("language/", login.language_set, name="language"),
    path("register/", registration.register, name="register"),
    path("register/sent/", registration.register_done, name="register_done"),
    path("register/send-again/", registration.register_resend, name="register_resend"),
    path("register/confirm/<str:token>/", registration.register_confirm, name="register_confirm"),
    path("invitation/renew/", invitation.invitation_renew, name="invitation_renew"),
    path("invitation/renew/sent/", invitation.invitation_renew_sent, name="invitation_renew_sent"),
    path("invitation/<str:token>/", invitation.invitation_accept, name="invitation_accept"),
    path("unlock/<str:token>/", unlock.unlock, name="unlock"),
    path("password/reset/", password.password_reset, name="password_reset"),
    path("password/reset/sent/", password.password_reset_sent, name="password_reset_sent"),
    path("password/reset/<str:token>/", password.password_reset_confirm, name="password_reset_confirm"),
    path("terms/", legal.terms, name="terms"),
    path("privacy/", legal.privacy, name="privacy"),
]
