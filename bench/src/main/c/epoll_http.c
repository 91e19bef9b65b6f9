/*
 * The ceiling of the HTTP side-by-side run (make bench, SIDE=http): a minimal keep-alive HTTP/1.1
 * responder in C on epoll, serving the same page as HttpPeer and ./http_server's "/". One thread per
 * processor, each with its own SO_REUSEPORT listener and epoll set (what a tuned C server does); every
 * complete request head in what a read returns is answered, so pipelining works. No parsing beyond
 * finding "\r\n\r\n": it measures the cost of the sockets and the kernel, not of HTTP.
 *
 * Build: cc -O2 -pthread -o epoll_http epoll_http.c     Run: ./epoll_http PORT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char PAGE[] =
    "<!DOCTYPE html>\n<html>\n<head><title>Warren</title></head>\n<body>\n<h1>Hello from Warren</h1>\n"
    "<p>This page was served by a tasklet: one virtual thread per connection, reading its socket in\n"
    "plain blocking style.</p>\n</body>\n</html>\n";
static int port;

static int listener(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(fd, (struct sockaddr *) &a, sizeof a) || listen(fd, 4096)) { perror("listen"); exit(1); }
    return fd;
}

/* The response for the current second (the Date header changes once a second). */
static int response(char *out, size_t cap) {
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return snprintf(out, cap, "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                    "Content-Length: %zu\r\n\r\n%s", date, sizeof PAGE - 1, PAGE);
}

static void *loop(void *unused) {
    (void) unused;
    int lfd = listener(), ep = epoll_create1(0), one = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    char in[16384], resp[1024], out[65536];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        int len = response(resp, sizeof resp);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                for (int c; (c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0;) {
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            ssize_t r = read(fd, in, sizeof in);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                close(fd);
                continue;
            }
            int heads = 0, o = 0;
            for (ssize_t k = 3; k < r; k++)
                if (in[k] == '\n' && in[k - 1] == '\r' && in[k - 2] == '\n' && in[k - 3] == '\r') heads++;
            for (int h = 0; h < heads && o + len <= (int) sizeof out; h++, o += len) memcpy(out + o, resp, len);
            if (o > 0 && write(fd, out, o) < 0) close(fd);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: epoll_http PORT\n"); return 2; }
    port = atoi(argv[1]);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    pthread_t t;
    for (long i = 1; i < cpus; i++) pthread_create(&t, NULL, loop, NULL);
    printf("epoll_http listening on %d with %ld threads\n", port, cpus);
    fflush(stdout);
    loop(NULL);
}
