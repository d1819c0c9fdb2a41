"""A per-sandbox CA and a server certificate for 127.0.0.1/localhost.

kubectl (client-go) sends a kubeconfig's bearer token only over TLS, so the API server speaks
https by default; kubeconfigs carry the CA, so nothing needs `insecure-skip-tls-verify`.
One PEM file (`kube-tls.pem`, 0600) holds the server certificate, the CA certificate and the
server key, created once per sandbox and shared by every server started there.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import os
import ssl
import tempfile
from pathlib import Path

TLS_FILE = "kube-tls.pem"


def _generate() -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    until = now + datetime.timedelta(days=3650)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crosscloud-sandbox-ca")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(until)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(until)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return (cert.public_bytes(pem) + ca.public_bytes(pem)
            + key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def tls_file(sandbox_dir: Path | str) -> Path:
    """The sandbox's PEM bundle, created on first use (safe against concurrent creators)."""
    path = Path(sandbox_dir) / TLS_FILE
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kube-tls-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(_generate())
        try:
            os.link(tmp, path)               # fails if another process created it first
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path


def ca_pem(sandbox_dir: Path | str) -> bytes:
    text = tls_file(sandbox_dir).read_bytes()
    certs = text.split(b"-----END CERTIFICATE-----")
    return certs[1].strip() + b"\n-----END CERTIFICATE-----\n"


def ca_data(sandbox_dir: Path | str) -> str:
    """base64 of the CA certificate, as kubeconfig's `certificate-authority-data` wants it."""
    return base64.b64encode(ca_pem(sandbox_dir)).decode()


def server_context(sandbox_dir: Path | str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(tls_file(sandbox_dir))
    return ctx
