/*
 * scram.c — SCRAM-SHA-256 (RFC 5802, RFC 7677), server side, with
 * OpenSSL's PBKDF2, HMAC and SHA-256. Verifiers are stored as
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64), so
 * the password itself is never kept.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

void scram_b64_encode(const unsigned char *p, size_t n, SlBuf *out)
{
    sl_buf_reserve(out, 4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)n);
    out->len += (size_t)len;
    out->data[out->len] = '\0';
}

int scram_b64_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *outlen)
{
    if (n % 4 != 0 || (n / 4) * 3 > cap + 2)
        return -1;
    unsigned char tmp[1024];
    if ((n / 4) * 3 > sizeof tmp)
        return -1;
    int len = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
    if (len < 0)
        return -1;
    /* EVP_DecodeBlock counts padding as zero bytes */
    if (n >= 1 && s[n - 1] == '=')
        len--;
    if (n >= 2 && s[n - 2] == '=')
        len--;
    if ((size_t)len > cap)
        return -1;
    memcpy(out, tmp, (size_t)len);
    *outlen = (size_t)len;
    return 0;
}

static void hmac(const unsigned char *key, size_t keylen, const void *msg, size_t len, unsigned char out[32])
{
    unsigned int olen = 32;
    HMAC(EVP_sha256(), key, (int)keylen, msg, len, out, &olen);
}

static void salted_password(const char *password, const unsigned char *salt, size_t salt_len, int iterations,
                            unsigned char out[32])
{
    PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, iterations, EVP_sha256(), 32, out);
}

int scram_make_verifier(const char *password, int iterations, SlBuf *out)
{
    unsigned char salt[16], sp[32], ck[32], sk[32], stored[32];
    if (RAND_bytes(salt, sizeof salt) != 1)
        return -1;
    salted_password(password, salt, sizeof salt, iterations, sp);
    hmac(sp, 32, "Client Key", 10, ck);
    SHA256(ck, 32, stored);
    hmac(sp, 32, "Server Key", 10, sk);
    sl_buf_printf(out, "SCRAM-SHA-256$%d:", iterations);
    scram_b64_encode(salt, sizeof salt, out);
    sl_buf_putc(out, '$');
    scram_b64_encode(stored, 32, out);
    sl_buf_putc(out, ':');
    scram_b64_encode(sk, 32, out);
    return 0;
}

int scram_parse_verifier(const char *text, ScramVerifier *v)
{
    memset(v, 0, sizeof *v);
    if (strncmp(text, "SCRAM-SHA-256$", 14) != 0)
        return -1;
    const char *p = text + 14;
    char *end;
    long it = strtol(p, &end, 10);
    if (end == p || *end != ':' || it < 1 || it > 10000000)
        return -1;
    v->iterations = (int)it;
    const char *salt = end + 1;
    const char *dollar = strchr(salt, '$');
    if (!dollar)
        return -1;
    if (scram_b64_decode(salt, (size_t)(dollar - salt), v->salt, sizeof v->salt, &v->salt_len) < 0)
        return -1;
    const char *stored = dollar + 1;
    const char *colon = strchr(stored, ':');
    if (!colon)
        return -1;
    size_t n;
    if (scram_b64_decode(stored, (size_t)(colon - stored), v->stored_key, 32, &n) < 0 || n != 32)
        return -1;
    const char *server = colon + 1;
    size_t sl = strcspn(server, " \t\r\n");
    if (scram_b64_decode(server, sl, v->server_key, 32, &n) < 0 || n != 32)
        return -1;
    return 0;
}

void scram_mock_verifier(const unsigned char key[32], const char *user, ScramVerifier *v)
{
    unsigned char h[32];
    memset(v, 0, sizeof *v);
    hmac(key, 32, user, strlen(user), h);
    memcpy(v->salt, h, 16);
    v->salt_len = 16;
    v->iterations = 4096;
    /* keys nobody can match: the exchange fails at the proof */
    hmac(key, 32, "stored", 6, v->stored_key);
    hmac(key, 32, "server", 6, v->server_key);
}

/* Attribute value "x=value" at the start of s, up to the next ','. */
static const char *attr(const char *s, char name, size_t *len)
{
    if (s[0] != name || s[1] != '=')
        return NULL;
    const char *v = s + 2;
    *len = strcspn(v, ",");
    return v;
}

int scram_server_first(ScramState *s, const char *msg, size_t len, SlBuf *reply)
{
    char buf[512];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, msg, len);
    buf[len] = '\0';
    if (memchr(buf, '\0', len))
        return -1;
    /* gs2 header: n,, or y,, (we do not offer channel binding) */
    const char *p = buf;
    if ((p[0] != 'n' && p[0] != 'y') || p[1] != ',')
        return -1;
    const char *authz_end = strchr(p + 2, ',');
    if (!authz_end)
        return -1;
    size_t gs2 = (size_t)(authz_end - p) + 1;
    if (gs2 >= sizeof s->gs2_header)
        return -1;
    memcpy(s->gs2_header, p, gs2);
    s->gs2_header[gs2] = '\0';
    const char *bare = p + gs2;
    snprintf(s->client_first_bare, sizeof s->client_first_bare, "%s", bare);
    /* n=user,r=nonce */
    size_t l;
    if (!attr(bare, 'n', &l))
        return -1;
    const char *r = strstr(bare, ",r=");
    if (!r)
        return -1;
    const char *cnonce = r + 3;
    size_t cn = strcspn(cnonce, ",");
    if (cn == 0 || cn > 100)
        return -1;
    unsigned char rnd[18];
    RAND_bytes(rnd, sizeof rnd);
    SlBuf nb;
    sl_buf_init(&nb);
    sl_buf_append(&nb, cnonce, cn);
    scram_b64_encode(rnd, sizeof rnd, &nb);
    snprintf(s->nonce, sizeof s->nonce, "%s", nb.data);
    sl_buf_free(&nb);
    if (s->fake && s->v.salt_len == 0) {
        /* no mock verifier was given: a random salt (tests only; the
         * server always sets one with scram_mock_verifier) */
        RAND_bytes(s->v.salt, 16);
        s->v.salt_len = 16;
        s->v.iterations = 4096;
    }
    SlBuf sf;
    sl_buf_init(&sf);
    sl_buf_printf(&sf, "r=%s,s=", s->nonce);
    scram_b64_encode(s->v.salt, s->v.salt_len, &sf);
    sl_buf_printf(&sf, ",i=%d", s->v.iterations);
    snprintf(s->server_first, sizeof s->server_first, "%s", sf.data);
    sl_buf_append(reply, sf.data, sf.len);
    sl_buf_free(&sf);
    s->step = 1;
    return 0;
}

int scram_server_final(ScramState *s, const char *msg, size_t len, SlBuf *reply)
{
    char buf[1024];
    if (s->step != 1 || len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, msg, len);
    buf[len] = '\0';
    /* c=<b64 gs2 header>,r=<nonce>[,...],p=<proof> */
    size_t l;
    const char *c = attr(buf, 'c', &l);
    if (!c)
        return -1;
    SlBuf expect;
    sl_buf_init(&expect);
    scram_b64_encode((const unsigned char *)s->gs2_header, strlen(s->gs2_header), &expect);
    bool cb_ok = l == expect.len && !memcmp(c, expect.data, l);
    sl_buf_free(&expect);
    if (!cb_ok)
        return -1;
    const char *r = strstr(buf, ",r=");
    if (!r)
        return -1;
    size_t rn = strcspn(r + 3, ",");
    if (rn != strlen(s->nonce) || memcmp(r + 3, s->nonce, rn) != 0)
        return -1;
    const char *pp = strstr(buf, ",p=");
    if (!pp)
        return -1;
    size_t without_proof = (size_t)(pp - buf);
    unsigned char proof[64];
    size_t plen;
    const char *pv = pp + 3;
    if (scram_b64_decode(pv, strlen(pv), proof, sizeof proof, &plen) < 0 || plen != 32)
        return -1;
    SlBuf am;
    sl_buf_init(&am);
    sl_buf_printf(&am, "%s,%s,", s->client_first_bare, s->server_first);
    sl_buf_append(&am, buf, without_proof);
    unsigned char sig[32], ck[32], h[32];
    hmac(s->v.stored_key, 32, am.data, am.len, sig);
    for (int i = 0; i < 32; i++)
        ck[i] = proof[i] ^ sig[i];
    SHA256(ck, 32, h);
    bool ok = CRYPTO_memcmp(h, s->v.stored_key, 32) == 0 && !s->fake;
    if (ok) {
        unsigned char ssig[32];
        hmac(s->v.server_key, 32, am.data, am.len, ssig);
        sl_buf_puts(reply, "v=");
        scram_b64_encode(ssig, 32, reply);
    }
    sl_buf_free(&am);
    s->step = 2;
    return ok ? 0 : -1;
}

void scram_client_proof(const char *password, const unsigned char *salt, size_t salt_len, int iterations,
                        const char *auth_message, unsigned char proof[32], unsigned char server_sig[32])
{
    unsigned char sp[32], ck[32], stored[32], sig[32], sk[32];
    salted_password(password, salt, salt_len, iterations, sp);
    hmac(sp, 32, "Client Key", 10, ck);
    SHA256(ck, 32, stored);
    hmac(stored, 32, auth_message, strlen(auth_message), sig);
    for (int i = 0; i < 32; i++)
        proof[i] = ck[i] ^ sig[i];
    hmac(sp, 32, "Server Key", 10, sk);
    hmac(sk, 32, auth_message, strlen(auth_message), server_sig);
}
