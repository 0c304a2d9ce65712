#!/usr/bin/env python3
"""Generates corpus.jsonl, the labelled redaction corpus: synthetic only (no real secret, key, card or person).

Each line: {"id", "category", "text", "labels": [{"kind", "value"}]}. Positive lines label every sensitive value they hold;
negative lines hold tricky look-alikes (UUIDs, hashes, git SHAs, versions, prose numbers, invalid checksums...) and no label.
Run: python3 evals/data/redaction/generate.py (fixed seed; the output is committed).
"""
import base64, json, random, string, os, hashlib, uuid

R = random.Random(20261124)
B62 = string.ascii_letters + string.digits
URLSAFE = B62 + "_-"
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"

def rs(alphabet, n): return "".join(R.choice(alphabet) for _ in range(n))
def mixed(n):
    while True:
        s = rs(B62, n)
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and sum(c.isdigit() for c in s) >= 3:
            return s
def b64u(b): return base64.urlsafe_b64encode(b).decode().rstrip("=")

FIRST = ["alice", "bob", "carol", "dmitri", "elena", "farah", "gustavo", "hiro", "ines", "jamal", "kasia", "liam", "mei", "nora", "omar", "priya", "quentin", "rosa", "sven", "tariq", "uma", "viktor", "wen", "ximena", "yusuf", "zoe"]
LAST = ["nguyen", "okafor", "schmidt", "rossi", "tanaka", "garcia", "kowalski", "haddad", "larsen", "dubois", "silva", "murphy", "novak", "chen", "ibrahim"]
DOMAINS = ["example.com", "example.org", "acme-corp.test", "contoso.example", "fabrikam.io", "northwind.example.net", "mail.example.co.uk", "globex.example"]
HOSTS = ["db.internal", "10.0.4.12", "pg-prod.acme.test", "sql01.contoso.example", "localhost", "cache.fabrikam.io"]

def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(R.randrange(10))
    for check in range(10):
        cand = digits + [check]
        s = 0
        for i, d in enumerate(reversed(cand)):
            if i % 2 == 1:
                d *= 2
                if d > 9: d -= 9
            s += d
        if s % 10 == 0:
            return "".join(map(str, cand))

def luhn_broken(prefix, length):
    good = luhn_complete(prefix, length)
    last = (int(good[-1]) + R.randrange(1, 10)) % 10
    return good[:-1] + str(last)

def group(num, sizes, sep):
    out, i = [], 0
    for s in sizes:
        out.append(num[i:i + s]); i += s
    return sep.join(out)

def card():
    kind = R.choice(["visa", "visa", "mc", "mc2", "amex", "discover", "jcb"])
    if kind == "visa": n = luhn_complete("4" + rs("0123456789", 5), 16)
    elif kind == "mc": n = luhn_complete(str(R.randint(51, 55)), 16)
    elif kind == "mc2": n = luhn_complete(str(R.randint(2221, 2720)), 16)
    elif kind == "amex": n = luhn_complete(R.choice(["34", "37"]), 15)
    elif kind == "discover": n = luhn_complete("6011", 16)
    else: n = luhn_complete(str(R.randint(3528, 3589)), 16)
    style = R.choice(["plain", "space", "dash"])
    if style == "plain": return n
    sizes = [4, 6, 5] if len(n) == 15 else [4, 4, 4, 4]
    return group(n, sizes, " " if style == "space" else "-")

IBAN_SHAPES = {"DE": "n18", "GB": "a4n14", "NL": "a4n10", "FR": "n23", "ES": "n20", "IT": "a1n22", "BE": "n12", "CH": "n17", "AT": "n16", "PL": "n24", "IE": "a4n14", "SE": "n20"}
def bban(shape):
    out, i = "", 0
    while i < len(shape):
        t = shape[i]; j = i + 1
        while j < len(shape) and shape[j].isdigit(): j += 1
        n = int(shape[i + 1:j])
        out += rs(string.ascii_uppercase if t == "a" else string.digits, n)
        i = j
    return out
def iban_check(cc, b):
    rearranged = b + cc + "00"
    num = "".join(str(int(c, 36)) for c in rearranged)
    return "%02d" % (98 - int(num) % 97)
def iban(valid=True):
    cc = R.choice(list(IBAN_SHAPES))
    b = bban(IBAN_SHAPES[cc])
    chk = iban_check(cc, b)
    if not valid:
        chk = "%02d" % ((int(chk) + R.randint(1, 90)) % 97 + 2)
        if chk == iban_check(cc, b): chk = "%02d" % ((int(chk) + 1) % 97 + 2)
    s = cc + chk + b
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4)) if R.random() < 0.5 else s

def ssn():
    while True:
        a = R.randint(1, 899)
        if a == 666: continue
        s = "%03d-%02d-%04d" % (a, R.randint(1, 99), R.randint(1, 9999))
        if s not in ("078-05-1120", "219-09-9999", "123-45-6789"): return s
NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
def nino():
    while True:
        p = R.choice(NINO_FIRST) + R.choice(NINO_SECOND)
        if p not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"): break
    d = "%06d" % R.randint(0, 999999)
    suffix = R.choice("ABCD")
    return R.choice([p + d + suffix, "%s %s %s %s %s" % (p, d[:2], d[2:4], d[4:], suffix)])

def email():
    f, l, d = R.choice(FIRST), R.choice(LAST), R.choice(DOMAINS)
    return R.choice([f"{f}.{l}@{d}", f"{f}{R.randint(1, 99)}@{d}", f"{f[0]}{l}@{d}", f"{f}+news@{d}", f"{l}.{f}@{d}", f"{f}_{l}@{d}"])

def phone():
    return R.choice([
        f"+1 {R.randint(201, 989)} {R.randint(200, 999)} {R.randint(1000, 9999)}",
        f"({R.randint(201, 989)}) {R.randint(200, 999)}-{R.randint(1000, 9999)}",
        f"{R.randint(201, 989)}-{R.randint(200, 999)}-{R.randint(1000, 9999)}",
        f"{R.randint(201, 989)}.{R.randint(200, 999)}.{R.randint(1000, 9999)}",
        f"+44 20 {R.randint(7000, 8999)} {R.randint(1000, 9999)}",
        f"+44 7700 {R.randint(900000, 900999)}",
        f"+49 30 {R.randint(1000000, 9999999)}",
        f"+33 {R.randint(1, 9)} {R.randint(10, 99)} {R.randint(10, 99)} {R.randint(10, 99)} {R.randint(10, 99)}",
        f"+1-{R.randint(201, 989)}-{R.randint(200, 999)}-{R.randint(1000, 9999)}",
        f"+61 4{R.randint(10, 99)} {R.randint(100, 999)} {R.randint(100, 999)}",
        f"+81 3-{R.randint(1000, 9999)}-{R.randint(1000, 9999)}",
    ])
def national_phone():
    return R.choice([f"07700 {R.randint(900000, 900999)}", f"020 {R.randint(7000, 8999)} {R.randint(1000, 9999)}", f"030 {R.randint(1000, 9999)} {R.randint(1000, 9999)}", f"0{R.randint(1, 9)} {R.randint(10, 99)} {R.randint(10, 99)} {R.randint(10, 99)} {R.randint(10, 99)}".replace(" ", "", 0)])

def jwt():
    header = R.choice([{"alg": "HS256", "typ": "JWT"}, {"alg": "RS256", "typ": "JWT", "kid": rs(HEX, 8)}, {"typ": "JWT", "alg": "ES256"}])
    payload = {"sub": str(R.randint(10000, 99999999)), "name": R.choice(FIRST).title(), "iat": R.randint(1600000000, 1800000000)}
    if R.random() < 0.5: payload["exp"] = payload["iat"] + 3600
    return b64u(json.dumps(header, separators=(",", ":")).encode()) + "." + b64u(json.dumps(payload, separators=(",", ":")).encode()) + "." + rs(URLSAFE, R.choice([43, 86]))

def pem(kind):
    body_lines = [rs(B62 + "+/", 64) for _ in range(R.randint(3, 6))]
    header = {"rsa": "RSA PRIVATE KEY", "ec": "EC PRIVATE KEY", "pkcs8": "PRIVATE KEY", "openssh": "OPENSSH PRIVATE KEY", "enc": "ENCRYPTED PRIVATE KEY", "pgp": "PGP PRIVATE KEY BLOCK", "dsa": "DSA PRIVATE KEY"}[kind]
    return f"-----BEGIN {header}-----\n" + "\n".join(body_lines) + f"\n-----END {header}-----"

def api_key():
    k = R.choice(["openai", "openai_proj", "anthropic", "github", "github_pat", "gho", "slack_bot", "slack_user", "slack_hook", "stripe", "stripe_rk", "stripe_whsec", "google", "google_oauth", "gitlab", "sendgrid", "npm", "hf", "twilio", "gocspx"])
    return {
        "openai": lambda: "sk-" + mixed(48),
        "openai_proj": lambda: "sk-proj-" + mixed(40) + "T3BlbkFJ" + mixed(40),
        "anthropic": lambda: "sk-ant-api03-" + rs(URLSAFE, 93) + "AA",
        "github": lambda: "ghp_" + mixed(36),
        "github_pat": lambda: "github_pat_" + mixed(22) + "_" + mixed(59),
        "gho": lambda: R.choice(["gho_", "ghs_", "ghu_"]) + mixed(36),
        "slack_bot": lambda: f"xoxb-{R.randint(10**10, 10**12)}-{R.randint(10**10, 10**12)}-{mixed(24)}",
        "slack_user": lambda: f"xoxp-{R.randint(10**10, 10**12)}-{R.randint(10**10, 10**12)}-{R.randint(10**10, 10**12)}-{rs(HEX, 32)}",
        "slack_hook": lambda: f"https://hooks.slack.com/services/T{rs(string.ascii_uppercase + string.digits, 8)}/B{rs(string.ascii_uppercase + string.digits, 8)}/{mixed(24)}",
        "stripe": lambda: "sk_" + R.choice(["live", "test"]) + "_" + mixed(R.choice([24, 99])),
        "stripe_rk": lambda: "rk_live_" + mixed(24),
        "stripe_whsec": lambda: "whsec_" + mixed(32),
        "google": lambda: "AIza" + rs(URLSAFE, 35),
        "google_oauth": lambda: "ya29." + rs(URLSAFE, 80),
        "gitlab": lambda: "glpat-" + mixed(20),
        "sendgrid": lambda: "SG." + rs(URLSAFE, 22) + "." + rs(URLSAFE, 43),
        "npm": lambda: "npm_" + mixed(36),
        "hf": lambda: "hf_" + mixed(34),
        "twilio": lambda: "SK" + rs(HEX, 32),
        "gocspx": lambda: "GOCSPX-" + rs(URLSAFE, 28),
    }[k]()

def aws_id(): return R.choice(["AKIA", "ASIA", "AKIA", "AROA"]) + rs(B32, 16)
def aws_secret():
    while True:
        s = rs(B62 + "/+", 40)
        if sum(c.isdigit() for c in s) >= 3: return s

def password():
    return R.choice([
        mixed(10), mixed(14), "Tr0ub4dor&" + str(R.randint(1, 9)), "hunter" + str(R.randint(2, 99)) + "!", rs(B62 + "!#%^*", 16),
        R.choice(["Summer", "Winter", "Autumn", "Spring"]) + str(R.randint(2019, 2026)) + R.choice("!#%"), "p@ssW0rd" + str(R.randint(10, 99)),
        "correct-horse-battery-" + str(R.randint(10, 99)), "Zx" + rs(string.digits, 4) + rs(string.ascii_lowercase, 4) + "!",
    ])

def high_entropy():
    return R.choice([mixed(24), mixed(32), mixed(40), rs(B62 + "+/", 44), mixed(28) + "==", rs(string.ascii_lowercase + string.digits, 36)])

positives, negatives = [], []
def pos(category, text, *labels): positives.append({"category": category, "text": text, "labels": [{"kind": k, "value": v} for k, v in labels]})
def neg(category, text): negatives.append({"category": category, "text": text, "labels": []})

# ---------- positives ----------
for _ in range(45):
    k = api_key()
    t = R.choice([
        "export OPENAI_API_KEY={k}", "Here's the key for the staging bot: {k} (please rotate after the demo)", "config.yaml:\n  llm:\n    key: \"{k}\"\n",
        "{{\"service\": \"billing\", \"credential\": \"{k}\", \"env\": \"prod\"}}", "curl -H 'Authorization: token {k}' https://api.example.com/v1/me",
        "2024-05-02T10:11:12Z WARN auth failed for key={k} retrying", "I pasted {k} into the notebook by mistake, can you remember to revoke it?",
        "GITHUB_TOKEN: {k}", "set the webhook to {k} and restart", "the CI secret is `{k}`", "{k}",
    ]).format(k=k)
    pos("api_key", t, ("api_key", k))
for _ in range(12):
    v = mixed(R.choice([24, 32, 40]))
    name = R.choice(["api_key", "API_KEY", "apiKey", "x-api-key", "client_secret", "SECRET_KEY", "auth_token", "access_token", "signing_key", "SENTRY_AUTH_TOKEN", "mapbox_access_token", "AZURE_STORAGE_ACCOUNT_KEY"])
    t = R.choice(["{n}={v}", "{n}: \"{v}\"", "\"{n}\": \"{v}\",", "settings.{n} = '{v}'", "my {n} is {v}"]).format(n=name, v=v)
    pos("secret_assignment", t, ("api_key", v))
for _ in range(6):
    v = mixed(R.choice([32, 40]))
    pos("bearer", R.choice(["Authorization: Bearer {v}", "curl -H \"Authorization: Bearer {v}\" https://api.example.org/items"]).format(v=v), ("api_key", v))
for _ in range(30):
    i, s = aws_id(), aws_secret()
    c = R.randrange(4)
    if c == 0: pos("aws", f"[default]\naws_access_key_id = {i}\naws_secret_access_key = {s}\n", ("aws_key", i), ("aws_key", s))
    elif c == 1: pos("aws", R.choice(["the deploy user is {i}, ask ops for the rest", "AccessKeyId: {i}", "found {i} in the bucket policy logs", "export AWS_ACCESS_KEY_ID={i}"]).format(i=i), ("aws_key", i))
    elif c == 2: pos("aws", f"AWS_SECRET_ACCESS_KEY={s}", ("aws_key", s))
    else: pos("aws", f"{{\"AccessKeyId\": \"{i}\", \"SecretAccessKey\": \"{s}\"}}", ("aws_key", i), ("aws_key", s))
for _ in range(30):
    j = jwt()
    pos("jwt", R.choice(["Authorization: Bearer {j}", "session cookie: {j}", "token={j}&redirect=/home", "{{\"id_token\": \"{j}\"}}", "the login returned {j} which expires in an hour", "{j}"]).format(j=j), ("jwt", j))
for _ in range(30):
    k = pem(R.choice(["rsa", "ec", "pkcs8", "openssh", "enc", "pgp", "dsa"]))
    c = R.randrange(4)
    if c == 0: pos("private_key", k, ("private_key", k))
    elif c == 1: pos("private_key", "here is the deploy key, keep it safe:\n" + k + "\nthanks", ("private_key", k))
    elif c == 2:
        esc = k.replace("\n", "\\n")
        pos("private_key", "{\"type\": \"service_account\", \"private_key\": \"" + esc + "\\n\"}", ("private_key", esc))
    else:
        trunc = k.split("\n")
        part = "\n".join(trunc[:3])
        pos("private_key", "the file starts with\n" + part, ("private_key", part))
for _ in range(36):
    p, u, h = password(), R.choice(FIRST), R.choice(HOSTS)
    c = R.randrange(7)
    if c == 0: pos("password", f"Server={h};Database=orders;User Id={u};Password={p};", ("password", p))
    elif c == 1: pos("password", f"postgresql://{u}:{p.replace('@', 'a').replace('/', 'x').replace('#', 'h')}@{h}:5432/app", ("password", p.replace('@', 'a').replace('/', 'x').replace('#', 'h')))
    elif c == 2: pos("password", f"my wifi password is {p}", ("password", p))
    elif c == 3: pos("password", f"password: {p}", ("password", p))
    elif c == 4: pos("password", f"DB_PASSWORD={p}", ("password", p))
    elif c == 5:
        q = p.replace('@', 'a').replace('/', 'x').replace('#', 'h').replace('%', 'p')
        pos("password", f"redis://default:{q}@{h}:6379/0", ("password", q))
    else: pos("password", f"Login for the router: admin / password {p}".replace("password ", "password is "), ("password", p))
for _ in range(36):
    c = card()
    pos("credit_card", R.choice(["card {c} exp 09/27", "Please charge {c} for the renewal.", "{{\"pan\": \"{c}\", \"exp\": \"11/26\"}}", "paid with my visa {c} yesterday", "CC#: {c}", "my card number is {c} and the CVV is on the back"]).format(c=c), ("credit_card", c))
for _ in range(32):
    i = iban()
    pos("iban", R.choice(["IBAN: {i}", "please wire the deposit to {i} (reference: flat 4B)", "{{\"iban\": \"{i}\", \"bic\": \"DEUTDEFF\"}}", "my salary goes to {i}", "Bankverbindung {i}"]).format(i=i), ("iban", i))
for _ in range(36):
    e = email()
    pos("email", R.choice(["contact me at {e}", "From: {e}", "{{\"email\": \"{e}\"}}", "cc {e} on the invoice thread", "mailto:{e}", "<{e}>", "reply-to={e};", "her address is {e}."]).format(e=e), ("email", e))
for _ in range(36):
    p = phone()
    pos("phone", R.choice(["call me at {p}", "Tel: {p}", "mobile {p}", "{{\"phone\": \"{p}\"}}", "reach the on-call engineer on {p} after 6pm", "fax: {p}", "my number is {p}", "WhatsApp {p}"]).format(p=p), ("phone", p))
for _ in range(6):
    p = national_phone()
    pos("phone", R.choice(["call me on {p}", "mobile: {p}", "her phone number is {p}"]).format(p=p), ("phone", p))
for _ in range(24):
    s = ssn()
    pos("government_id", R.choice(["SSN: {s}", "my social security number is {s}", "{{\"ssn\": \"{s}\"}}", "applicant {s} approved", "ss# {s}"]).format(s=s), ("government_id", s))
for _ in range(4):
    s = ssn().replace("-", R.choice(["", " "]))
    pos("government_id", R.choice(["SSN {s}", "social security number: {s}"]).format(s=s), ("government_id", s))
for _ in range(14):
    n = nino()
    pos("government_id", R.choice(["NI number {n}", "National Insurance: {n}", "{{\"nino\": \"{n}\"}}", "my NINO is {n}"]).format(n=n), ("government_id", n))
for _ in range(32):
    h = high_entropy()
    pos("high_entropy", R.choice(["use {h} to unlock the backup", "the recovery phrase on the sticky note was {h}", "remember: {h}", "value copied from the vault -> {h}", "{{\"blob\": \"{h}\"}}", "I set it to {h} last night", "X-Signature: {h}"]).format(h=h), ("high_entropy", h))
# mixed lines: several kinds in one text
for _ in range(12):
    e, p, c = email(), phone(), card()
    pos("mixed", f"Customer {e} called from {p} and asked us to update card {c}", ("email", e), ("phone", p), ("credit_card", c))

# ---------- negatives ----------
SENTENCES = ["Hello, world! This is a test.", "The quick brown fox jumps over the lazy dog", "meeting notes for tuesday", "user preferences: dark mode, metric units", "Lorem ipsum dolor sit amet, consectetur adipiscing elit", "remember to buy milk and eggs", "{\"name\": \"widget\", \"qty\": 3}", "release notes for version two"]
for _ in range(36): neg("uuid", R.choice(["request id {u}", "memory {u} was superseded", "{{\"id\": \"{u}\"}}", "tenant/{u}/objects", "correlation-id: {u}", "{U}"]).format(u=str(uuid.UUID(int=R.getrandbits(128), version=4)), U=str(uuid.UUID(int=R.getrandbits(128), version=4)).upper()))
for _ in range(24): neg("sha1", R.choice(["sha1 {h}", "ETag: \"{h}\"", "checksum {h} matches", "{h}  README.md"]).format(h=hashlib.sha1(rs(B62, 20).encode()).hexdigest()))
for _ in range(24): neg("sha256", R.choice(["sha256:{h}", "image digest sha256:{h}", "the file hash is {h}", "{{\"sha256\": \"{h}\"}}", "{H}"]).format(h=hashlib.sha256(rs(B62, 20).encode()).hexdigest(), H=hashlib.sha256(rs(B62, 20).encode()).hexdigest().upper()))
for _ in range(12): neg("md5", R.choice(["md5 {h}", "Content-MD5: {h}", "cache key {h}"]).format(h=hashlib.md5(rs(B62, 20).encode()).hexdigest()))
for _ in range(30):
    full = hashlib.sha1(rs(B62, 12).encode()).hexdigest()
    neg("git_sha", R.choice(["commit {f}", "git checkout {s}", "fixed in {s} (see PR #{n})", "Merge {s} into main", "git revert {f}", "cherry-picked {s} and {s2}", "HEAD is now at {s} docs: typo"]).format(f=full, s=full[:7], s2=hashlib.sha1(rs(B62, 12).encode()).hexdigest()[:8], n=R.randint(100, 9999)))
for _ in range(30): neg("prose_number", R.choice([
    "we shipped {a:,} orders in Q3 {y}", "the population was {b:,} in {y}", "between {y} and {y2} sales grew {p}%", "she ran {p} km in {m} minutes", "the stadium seats {a:,} people",
    "revenue was ${a:,}.{c:02d} last quarter", "{p} out of {q} users chose dark mode", "page {p} of {q}", "the score was {p}-{q}", "room {p}, floor {m}", "a {p}-{m}-{c} backup rule",
    "latency p95 {a} ms, p99 {b} ms", "temperature dropped to -{m} degrees", "roughly {b:,} words across {p} chapters"]).format(a=R.randint(1000, 999999), b=R.randint(1000000, 99999999), y=R.randint(1990, 2025), y2=R.randint(2026, 2035), p=R.randint(2, 99), q=R.randint(100, 400), m=R.randint(2, 60), c=R.randint(1, 9)))
for _ in range(24): neg("order_number", R.choice(["Order #{a}", "invoice INV-{y}-{b:05d}", "ticket JIRA-{c}", "PO {a} shipped", "case number {y}{b:06d}", "ref {y}-{m:02d}-{b:04d}", "SKU {c}-{b:05d}-BLK", "booking ref {r}"]).format(a=R.randint(10**7, 10**9), y=R.randint(2019, 2026), b=R.randint(1, 99999), c=R.randint(100, 99999), m=R.randint(1, 12), r=rs(string.ascii_uppercase + string.digits, 6)))
for _ in range(24): neg("date", R.choice(["{y}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z", "{d:02d}/{m:02d}/{y}", "due {y}-{m:02d}-{d:02d}", "at {h:02d}:{mi:02d} on {d:02d}.{m:02d}.{y}", "timestamp {ts}", "{y}{m:02d}{d:02d}-{h:02d}{mi:02d}{s:02d}", "from {y}-{m:02d}-{d:02d} to {y}-{m:02d}-{d2:02d}"]).format(y=R.randint(2000, 2030), m=R.randint(1, 12), d=R.randint(1, 28), d2=R.randint(1, 28), h=R.randint(0, 23), mi=R.randint(0, 59), s=R.randint(0, 59), ts=R.randint(1600000000000, 1800000000000)))
for _ in range(24): neg("version", R.choice(["v{a}.{b}.{c}", "upgraded to {a}.{b}.{c}-preview.{d}.{e}.{f}", "node {a}.{b}.{c}", "Python 3.{b}.{c}", "npm install lodash@4.17.{c}", "build {a}.{b}.{c}.{e}", "Microsoft.Data.Sqlite {a}.{b}.{c}", "kernel 6.{b}.{c}-{d}-generic", "chrome/{e}.0.{f}.{c}"]).format(a=R.randint(1, 20), b=R.randint(0, 20), c=R.randint(0, 99), d=R.randint(1, 9), e=R.randint(10000, 99999), f=R.randint(10, 999)))
def isbn13():
    d = [9, 7, 8] + [R.randrange(10) for _ in range(9)]
    chk = (10 - sum(x * (1 if i % 2 == 0 else 3) for i, x in enumerate(d)) % 10) % 10
    s = "".join(map(str, d + [chk]))
    return R.choice([s, f"{s[:3]}-{s[3]}-{s[4:7]}-{s[7:12]}-{s[12]}"])
for _ in range(16): neg("isbn", R.choice(["ISBN {i}", "ISBN-13: {i}", "the book ({i}) is out of print"]).format(i=isbn13()))
for _ in range(24):
    n = luhn_broken(R.choice(["4", "51", "37", "6011"]) + rs("0123456789", 3), R.choice([16, 16, 15]))
    style = R.random()
    if style < 0.4: n = group(n, [4, 4, 4, 4] if len(n) == 16 else [4, 6, 5], " ")
    neg("invalid_card", R.choice(["card {n} was declined (typo?)", "test number {n}", "{n}"]).format(n=n))
for _ in range(10):
    n = luhn_complete("9" + rs("0123456789", 3), 16)
    neg("card_like", R.choice(["gift card {n}", "account {n}"]).format(n=n))
for _ in range(16): neg("tracking", R.choice(["UPS 1Z{a}{b}", "tracking {n}", "USPS {u}", "FedEx {f}"]).format(a=rs(string.ascii_uppercase + string.digits, 6), b=rs(string.digits, 10), n="9" + rs(string.digits, 21), u=" ".join(rs(string.digits, 4) for _ in range(5)) + " " + rs(string.digits, 2), f=rs(string.digits, 12)))
for _ in range(20):
    s = R.choice(SENTENCES) + " " + R.choice(SENTENCES)
    neg("base64_text", R.choice(["payload {b}", "{b}", "data: {b}", "{{\"content\": \"{b}\"}}"]).format(b=base64.b64encode(s.encode()).decode()))
for _ in range(24): neg("placeholder", R.choice([
    "password: <your-password>", "api_key=YOUR_API_KEY", "DB_PASSWORD=${DB_PASSWORD}", "Authorization: Bearer <token>", "postgres://user:${PGPASS}@localhost/db",
    "export OPENAI_API_KEY=sk-...", "client_secret: \"********\"", "SECRET_KEY = os.environ['SECRET_KEY']", "token: {{ secrets.GITHUB_TOKEN }}", "password=%PASSWORD%",
    "AWS_ACCESS_KEY_ID=AKIA...", "set password to REPLACE_ME", "api_key: \"xxxxxxxxxxxxxxxx\"", "Password=$(cat /run/secrets/db)", "the token is [redacted:api_key]"]))
for _ in range(24): neg("secret_prose", R.choice([
    "rotate the GitHub token every {n} days", "the password is incorrect", "never paste your API key in chat", "password must be at least {n} characters",
    "I forgot my password again", "the JWT expired after {n} minutes", "Stripe keys start with sk_live in production", "we store password hashes with argon2id",
    "your SSN is required for the form", "enter your card number at checkout", "reset password link sent", "the private key never leaves the HSM", "the password is too short",
    "the token was revoked on friday", "password changed successfully", "API key rotation is overdue"]).format(n=R.randint(8, 120)))
for _ in range(16): neg("invalid_ssn", R.choice(["id 000-{b:02d}-{c:04d}", "code 666-{b:02d}-{c:04d}", "ref 9{a:02d}-{b:02d}-{c:04d}", "example SSN 123-45-6789", "sample 078-05-1120", "form {a3:03d}-00-{c:04d}", "batch {a3:03d}-{b:02d}-0000"]).format(a=R.randint(0, 99), a3=R.randint(1, 665), b=R.randint(1, 99), c=R.randint(1, 9999)))
for _ in range(6): neg("invalid_nino", R.choice(["reference QQ 12 34 56 C", "code GB123456A", "form TN 31 12 58 F", "id ZZ999999D"]))
for _ in range(16): neg("invalid_iban", R.choice(["IBAN {i} (bounced: checksum)", "account {i}"]).format(i=iban(valid=False)))
for _ in range(14): neg("network", R.choice(["10.{a}.{b}.{c}:5432", "MAC 00:1A:{x}:{y}:4F:{z}", "listening on 0.0.0.0:{p}", "2001:db8::{x}:{y}", "subnet 192.168.{a}.0/24", "ping 172.16.{a}.{b} timed out"]).format(a=R.randint(0, 255), b=R.randint(0, 255), c=R.randint(1, 254), p=R.randint(1024, 65535), x=rs("0123456789ABCDEF", 2), y=rs("0123456789ABCDEF", 2), z=rs("0123456789ABCDEF", 2)))
for _ in range(16): neg("identifier", R.choice([
    "api-{h}-{k}", "pod checkout-service-{h}-{k} restarted", "ConfigureServicesV{n}Async", "MemoryRedactionPolicyBuilderExtensions", "src/SkMemory/Redaction/MemoryRedactor.cs",
    "InternalServerErrorExceptionHandler{n}", "customer cus_{c} opened a dispute", "payment intent pi_{c}", "the video id is dQw4w9WgXcQ", "com.example.android.notifications.v{n}",
    "arn:aws:iam::{acct}:role/deploy-role", "projects/my-project-{n}/locations/us-central1", "TestMethod_WhenInputIsEmpty_ReturnsEmptyList{n}"]).format(h=rs("0123456789abcdef", 10), k=rs(string.ascii_lowercase + string.digits, 5), n=R.randint(2, 99), c=mixed(14), acct=rs(string.digits, 12)))
for _ in range(10):
    h = base64.b64encode(hashlib.sha384(rs(B62, 20).encode()).digest()).decode()
    neg("sri_hash", R.choice(["<script src=\"app.js\" integrity=\"sha384-{h}\"></script>", "integrity: sha384-{h}"]).format(h=h))
for _ in range(8): neg("email_like", R.choice(["icon@2x.png", "logo@3x.webp", "@dataclass", "ping @channel about the outage", "user at example dot com", "npm i react@18.3.1", "mention @alice in the review"]))
for _ in range(10): neg("phone_like", R.choice(["call 911", "the range is 120-340", "score: 415-555", "dial extension 4021", "room 3.14.159", "lot 2024-555-0101-A", "serial 1234.5678.9012.3456.78", "coordinates 51.5072, -0.1276", "ratio 16:9, 1920x1080", "Bible verse John 3:16"]))

positives = positives[:]
rows = []
for i, r in enumerate(positives + negatives):
    rows.append({"id": i + 1, "category": r["category"], "text": r["text"], "labels": r["labels"]})
    for l in r["labels"]:
        assert l["value"] in r["text"], (r, l)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.jsonl")
with open(out, "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"{len(positives)} positive lines ({sum(len(r['labels']) for r in positives)} labels), {len(negatives)} negative lines -> {out}")
