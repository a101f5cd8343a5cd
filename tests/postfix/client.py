"""An SMTP client for tests/postfix/run.sh (Debian's python3: the system OpenSSL).

    python3 client.py PORT [--starttls] [--ca FILE] [--cert FILE --key FILE] [--tls12]
                           [--mail-first] [--rcpt ADDR] [--subject TEXT]

Sends one message to 127.0.0.1:PORT.  Prints `tls: VERSION CIPHER`, `verified: yes|no`
and `result: ...`; exits 1 with `error: ...` when the session fails.  --mail-first tries
MAIL FROM before STARTTLS and prints the reply (`mail-first: CODE TEXT`).
"""
import argparse
import smtplib
import ssl
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--ca")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--tls12", action="store_true")
    ap.add_argument("--mail-first", action="store_true")
    ap.add_argument("--rcpt", default="user@dest.example")
    ap.add_argument("--subject", default="test")
    a = ap.parse_args()
    try:
        s = smtplib.SMTP("127.0.0.1", a.port, local_hostname="client.example", timeout=15)
        code, text = s.ehlo()
        print("ehlo: %d %s" % (code, text.decode().replace("\n", " | ")))
        if a.mail_first:
            code, text = s.docmd("MAIL FROM:<sender@client.example>")
            print("mail-first: %d %s" % (code, text.decode()))
            s.rset()
        if a.starttls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if a.ca:
                ctx.load_verify_locations(a.ca)
                ctx.check_hostname = True
                ctx.verify_mode = ssl.CERT_REQUIRED
            else:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if a.cert:
                ctx.load_cert_chain(a.cert, a.key)
            if a.tls12:
                ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            s._host = "localhost"  # the name checked against the server's certificate
            s.starttls(context=ctx)
            print("tls: %s %s" % (s.sock.version(), s.sock.cipher()[0]))
            print("verified: %s" % ("yes" if a.ca else "no"))
            s.ehlo()
        refused = s.sendmail("sender@client.example", [a.rcpt],
                             "From: sender@client.example\r\nTo: %s\r\nSubject: %s\r\n\r\nHello from client.py\r\n"
                             % (a.rcpt, a.subject))
        print("result: accepted, refused=%r" % (refused,))
        s.quit()
    except (smtplib.SMTPException, ssl.SSLError, OSError) as e:
        print("error: %s: %s" % (type(e).__name__, e))
        sys.exit(1)


if __name__ == "__main__":
    main()
