"""A demonstration CA and signing certificate for `yikatong demo` and the tests (never for production)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from documents.signing import CERT_ENV, KEY_ENV
from documents.verify import TRUST_ENV

VALID_FOR = timedelta(days=3650)


@dataclass(frozen=True)
class TestCa:
    """The files of a demonstration CA: its root certificate, and a signing key and certificate it issued."""

    __test__ = False  # not a pytest test class
    root_cert: Path
    signing_key: Path
    signing_cert: Path

    def environ(self) -> dict[str, str]:
        """Return the environment variables that make the application sign and verify with this CA."""
        return {KEY_ENV: str(self.signing_key), CERT_ENV: str(self.signing_cert), TRUST_ENV: str(self.root_cert)}


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "太仓市人力资源和社会保障局（演示）"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=sign, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not sign, crl_sign=not sign,
                         encipher_only=False, decipher_only=False)


def _certificate(subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey,
                 issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool) -> x509.Certificate:
    now = datetime.now(timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1)).not_valid_after(now + VALID_FOR)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
               .add_extension(_usage(sign=not ca), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                              critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_test_ca(folder: str | Path, *, name: str = "一卡通演示根证书") -> TestCa:
    """Create (or reuse, when its files exist) a demo root CA and a signing certificate in *folder*."""
    folder = Path(folder)
    files = TestCa(folder / "root-ca.pem", folder / "signing-key.pem", folder / "signing-cert.pem")
    if all(path.is_file() for path in (files.root_cert, files.signing_key, files.signing_cert)):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = _certificate(_name(name), _name(name), root_key.public_key(), root_key, ca=True)
    signing = _certificate(_name("太仓市人社局 一卡通系统 电子校验章"), root.subject, key.public_key(), root_key, ca=False)
    files.signing_key.touch(mode=0o600)
    files.signing_key.chmod(0o600)
    files.signing_key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    files.signing_cert.write_bytes(_pem(signing))
    files.root_cert.write_bytes(_pem(root))
    return files
