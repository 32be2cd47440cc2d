/* A minimal single-threaded epoll HTTP/1.1 server that answers every POST with one pre-rendered SSE stream of
 * N completion chunks (chat chunks for /v1/chat/completions), usage when the body asks for `include_usage`, and
 * [DONE], written at once (keep-alive, Content-Length). The ceiling that scripts/bench-serve-peer compares
 * Parity's simulator with, both measured with wrk on the same core.
 * Build: cc -O2 -o epoll-sse epoll-sse.c    Run: ./epoll-sse PORT [TOKENS]   (127.0.0.1 only) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXCONN 65536
/* Four pre-rendered responses: [chat][usage]. */
static char *responses[2][2];
static size_t response_lens[2][2];
struct conn { char buf[65536]; size_t len; };
static struct conn *conns[MAXCONN];

static void build(int tokens, int chat, int usage) {
    static const char *words[] = {" the", " of", " and", " a", " to", " in", " is", " it"};
    const char *object = chat ? "chat.completion.chunk" : "text_completion";
    size_t cap = 256 + (size_t)tokens * 256, n = 0;
    char *body = malloc(cap);
    for (int i = 0; i < tokens; i++) {
        if (chat)
            n += sprintf(body + n,
                "data: {\"id\":\"chatcmpl-1\",\"object\":\"%s\",\"created\":1,\"model\":\"sim\","
                "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":%s}]}\n\n",
                object, words[i % 8], i + 1 == tokens ? "\"length\"" : "null");
        else
            n += sprintf(body + n,
                "data: {\"id\":\"cmpl-1\",\"object\":\"%s\",\"created\":1,\"model\":\"sim\","
                "\"choices\":[{\"index\":0,\"text\":\"%s\",\"logprobs\":null,\"finish_reason\":%s}]}\n\n",
                object, words[i % 8], i + 1 == tokens ? "\"length\"" : "null");
    }
    if (usage)
        n += sprintf(body + n,
            "data: {\"id\":\"cmpl-1\",\"object\":\"%s\",\"created\":1,\"model\":\"sim\",\"choices\":[],"
            "\"usage\":{\"prompt_tokens\":128,\"completion_tokens\":%d,\"total_tokens\":%d}}\n\n",
            object, tokens, tokens + 128);
    n += sprintf(body + n, "data: [DONE]\n\n");
    char *response = malloc(n + 256);
    size_t len = sprintf(response,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nContent-Length: %zu\r\n\r\n", n);
    memcpy(response + len, body, n);
    responses[chat][usage] = response;
    response_lens[chat][usage] = len + n;
    free(body);
}

/* Consumes complete requests (head + Content-Length body) from the buffer; answers each. */
static int serve(int fd, struct conn *c) {
    for (;;) {
        c->buf[c->len] = 0;
        char *end = strstr(c->buf, "\r\n\r\n");
        if (!end) return 0;
        size_t head = (size_t)(end - c->buf) + 4, length = 0;
        char *cl = strcasestr(c->buf, "\r\nContent-Length:");
        if (cl && cl < end) length = strtoul(cl + 17, NULL, 10);
        if (c->len < head + length) return 0;
        if (strncmp(c->buf, "GET /v1/models", 14) == 0) {
            static const char models[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n"
                                         "{\"object\":\"list\",\"data\":[{\"id\":\"sim\"}]}";
            if (write(fd, models, sizeof models - 1) < 0) return -1;
        } else if (strncmp(c->buf, "GET ", 4) == 0) {
            /* Anything else read-only (SGLang's client asks for server info): not found. */
            static const char missing[] = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                                          "Content-Length: 2\r\n\r\n{}";
            if (write(fd, missing, sizeof missing - 1) < 0) return -1;
        } else {
            int chat = strncmp(c->buf, "POST /v1/chat/completions", 25) == 0;
            int usage = memmem(c->buf + head, length, "include_usage", 13) != NULL;
            const char *response = responses[chat][usage];
            size_t response_len = response_lens[chat][usage], off = 0;
            while (off < response_len) {
                ssize_t w = write(fd, response + off, response_len - off);
                if (w < 0) { if (errno == EAGAIN) { usleep(50); continue; } return -1; }
                off += (size_t)w;
            }
        }
        memmove(c->buf, c->buf + head + length, c->len - head - length);
        c->len -= head + length;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT [TOKENS]\n", argv[0]); return 2; }
    for (int chat = 0; chat < 2; chat++)
        for (int usage = 0; usage < 2; usage++) build(argc > 2 ? atoi(argv[2]) : 64, chat, usage);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    a.sin_addr.s_addr = inet_addr("127.0.0.1");
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) { perror("listen"); return 1; }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, events[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == ls) {
                int c;
                while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAXCONN) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (!conns[c]) conns[c] = malloc(sizeof(struct conn));
                    conns[c]->len = 0;
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            struct conn *c = conns[fd];
            ssize_t r = read(fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
            if (r <= 0) { if (r < 0 && errno == EAGAIN) continue; close(fd); continue; }
            c->len += (size_t)r;
            if (serve(fd, c) < 0 || c->len >= sizeof c->buf - 1) close(fd);
        }
    }
}
