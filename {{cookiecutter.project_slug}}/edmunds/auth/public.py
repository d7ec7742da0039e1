from edmunds.http.blueprint import endpoint

PUBLIC = "edmunds_public"


def public(view):
    """Mark a view that answers without a token (the login, /up, /ready):
    the token guard lets it by and the OpenAPI document says so."""
    setattr(view, PUBLIC, True)
    return endpoint.doc(security=[])(view)
