package jenkinstest

/* What withCredentials throws for an unknown credentials id (credentials-binding). */
class CredentialNotFoundException extends RuntimeException {
    CredentialNotFoundException(String message) {
        super(message)
    }
}
