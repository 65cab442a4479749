from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """The claims a relying party reads: e-mail, whether it is verified (omitted when unknown), the name."""

    def get_additional_claims(self, request):
        user = request.user
        claims = {"email": user.email, "given_name": user.first_name, "family_name": user.last_name}
        verified = getattr(getattr(user, "profile", None), "email_verified", None)
        if verified is not None:
            claims["email_verified"] = verified
        return claims
