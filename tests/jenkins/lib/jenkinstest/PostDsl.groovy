package jenkinstest

class PostDsl {
    Map<String, Closure> post

    PostDsl(Map<String, Closure> post) {
        this.post = post
    }

    void always(Closure c) { post.always = c }
    void changed(Closure c) { post.changed = c }
    void fixed(Closure c) { post.fixed = c }
    void regression(Closure c) { post.regression = c }
    void aborted(Closure c) { post.aborted = c }
    void failure(Closure c) { post.failure = c }
    void success(Closure c) { post.success = c }
    void unstable(Closure c) { post.unstable = c }
    void unsuccessful(Closure c) { post.unsuccessful = c }
    void cleanup(Closure c) { post.cleanup = c }
}
