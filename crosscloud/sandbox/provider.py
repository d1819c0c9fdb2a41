"""Sandbox Terraform providers, built on the ``tf`` package: ``python -m crosscloud.sandbox.provider alicloud|google``.

Terraform starts this process (through the launcher in the sandbox's filesystem mirror) several
times per command, so start-up is kept lean: only ``tf``'s runner and the gRPC stack load before
the handshake line; the schema file, the store and the cloud model load on the first call that
needs them, and the TLS certificate comes from a small cache instead of being parsed with
``cryptography`` on every start.

``tf`` supplies the plugin server (go-plugin handshake, TLS, gRPC services), the protocol
messages, and the schema classes (with a LIST nested block added, see :mod:`.tfschema`). Planning,
applying and reading run on the raw wire values against the JSON schema, because ``tf``'s
generic versions do not cover computed attributes inside blocks, nested ForceNew paths,
Optional+Computed blocks or SDKv2-style defaults; responses carry ``legacy_type_system`` like the
SDKv2-built real providers do, so Terraform applies the same tolerance to them.

Nothing here logs attribute values: diagnostics name types, ids and paths only.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

PROVIDERS = {
    "alicloud": "registry.terraform.io/aliyun/alicloud",
    "google": "registry.terraform.io/hashicorp/google",
}
CERT_CACHE = "crosscloud-cert.json"


# ---------------------------------------------------------------------------------- TLS
def _cert_cache_path(home: Path | None = None) -> Path:
    home = Path(home) if home else Path(os.environ.get("HOME") or Path.home())
    return home / ".cache" / "tf-python-provider" / CERT_CACHE


def ensure_certificate(home: Path | None = None) -> tuple[bytes, bytes, bytes]:
    """(certificate DER, certificate PEM, key PEM) of the provider's TLS server.

    Generated once (self-signed, ECDSA P-256, CN/SAN ``localhost``, valid a year) and cached
    under ``$HOME/.cache/tf-python-provider``; :meth:`Sandbox.ensure` warms the cache so that
    provider starts only read a small JSON file (no ``cryptography`` import).
    """
    path = _cert_cache_path(home)
    try:
        d = json.loads(path.read_text())
        if d["not_after"] > time.time() + 86400:
            return base64.b64decode(d["der"]), d["cert_pem"].encode(), d["key_pem"].encode()
    except (OSError, ValueError, KeyError):
        pass
    import datetime as dt  # noqa: PLC0415  (slow path only)

    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    not_after = now + dt.timedelta(days=365)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=True)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"der": base64.b64encode(der).decode(), "cert_pem": cert_pem.decode(),
                   "key_pem": key_pem.decode(), "not_after": not_after.timestamp()}, fh)
    os.replace(tmp, path)
    return der, cert_pem, key_pem


def _fast_self_signed_cert():
    import grpc  # noqa: PLC0415

    der, cert_pem, key_pem = ensure_certificate()
    return der, grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)


# ---------------------------------------------------------------------------------- provider
class SandboxProvider:
    """The ``tf`` Provider (duck-typed to ``tf.iface.Provider``) for one sandbox cloud."""

    def __init__(self, name: str):
        if name not in PROVIDERS:
            raise SystemExit(f"unknown sandbox provider {name!r}; expected one of {sorted(PROVIDERS)}")
        self.name = name
        self._doc: dict | None = None
        self._cloud = None
        self.config: dict = {}

    # schema ------------------------------------------------------------
    @property
    def doc(self) -> dict:
        if self._doc is None:
            from . import tfschema  # noqa: PLC0415

            self._doc = tfschema.load(self.name)
        return self._doc

    def block(self, type_name: str, data: bool = False) -> dict:
        return self.doc["data_sources" if data else "resources"][type_name]

    @property
    def cloud(self):
        if self._cloud is None:
            from .cloud import Cloud  # noqa: PLC0415
            from .store import CloudStore  # noqa: PLC0415

            sandbox_dir = os.environ.get("CROSSCLOUD_SANDBOX_DIR")
            if not sandbox_dir:
                from .cloud import CloudError  # noqa: PLC0415

                raise CloudError("CROSSCLOUD_SANDBOX_DIR is not set",
                                 "Run terraform with the environment of `crosscloud sandbox env`.")
            self._cloud = Cloud(CloudStore(Path(sandbox_dir) / "cloud.db"), self.name, self.config, self.doc)
        return self._cloud

    # tf.iface.Provider ---------------------------------------------------
    def get_model_prefix(self) -> str:
        return ""

    def full_name(self) -> str:
        return PROVIDERS[self.name]

    def get_provider_schema(self, diags):
        from .tfschema import to_tf_schema  # noqa: PLC0415

        return to_tf_schema(self.doc["provider"]["config"])

    def validate_config(self, diags, config) -> None:
        return None

    def configure_provider(self, diags, config) -> None:
        from .tfschema import UNKNOWN  # noqa: PLC0415

        self.config = {k: v for k, v in (config or {}).items() if isinstance(v, (str, int, float, bool))
                       and v is not UNKNOWN}
        self._cloud = None

    def get_data_sources(self) -> list:
        return []

    def get_resources(self) -> list:
        return []

    def new_resource(self, klass):  # pragma: no cover - not used by the sandbox servicer
        return klass(self)

    def new_data_source(self, klass):  # pragma: no cover
        return klass(self)

    def get_functions(self) -> list:
        return []


def servicer_class():
    """The gRPC servicer: ``tf``'s, with the resource protocol implemented on raw values."""
    import functools  # noqa: PLC0415
    import traceback  # noqa: PLC0415

    import msgpack  # noqa: PLC0415
    from tf.gen import tfplugin_pb2 as pb  # noqa: PLC0415
    from tf.provider import ProviderServicer  # noqa: PLC0415
    from tf.types import Unknown as UNKNOWN  # noqa: PLC0415  (the sentinel tfschema uses too)

    # the cloud model, schema helpers and SQLite load on the first call, after the handshake
    def sem():
        from . import semantics  # noqa: PLC0415

        return semantics

    def tfs():
        from . import tfschema  # noqa: PLC0415

        return tfschema

    def cloud_error():
        from .cloud import CloudError  # noqa: PLC0415

        return CloudError

    def ext_hook(code: int, data: bytes):
        # cty encodes unknown values as extension 0, refined unknowns as extension 12
        return UNKNOWN if code in (0, 12) else msgpack.ExtType(code, data)

    def dec(dv) -> Any:
        if dv is None:
            return None
        if dv.msgpack:
            return msgpack.unpackb(dv.msgpack, ext_hook=ext_hook, raw=False, strict_map_key=False)
        if dv.json:
            return json.loads(dv.json)
        return None

    def default(o):
        if o is UNKNOWN:
            return msgpack.ExtType(0, b"\x00")
        raise TypeError(f"cannot encode {type(o).__name__}")

    def enc(value: Any):
        return pb.DynamicValue(msgpack=msgpack.packb(value, default=default, use_bin_type=True))

    def attr_path(path) -> Any:
        steps = []
        for p in path:
            if isinstance(p, int):
                steps.append(pb.AttributePath.Step(element_key_int=p))
            else:
                steps.append(pb.AttributePath.Step(attribute_name=p))
        return pb.AttributePath(steps=steps)

    def diag(summary: str, detail: str = "", path=(), severity=pb.Diagnostic.ERROR):
        d = pb.Diagnostic(severity=severity, summary=summary, detail=detail)
        if path:
            d.attribute.CopyFrom(attr_path(path))
        return d

    def guarded(response_cls):
        """Exceptions become error diagnostics (CloudError: the cloud's words; others: a bug)."""
        def wrap(fn):
            @functools.wraps(fn)
            def inner(self, request, context):
                try:
                    return fn(self, request, context)
                except Exception as e:  # noqa: BLE001
                    if isinstance(e, cloud_error()):
                        return response_cls(diagnostics=[diag(e.summary, e.detail, e.path)])
                    traceback.print_exc(file=sys.stderr)
                    return response_cls(diagnostics=[diag(
                        f"sandbox provider error in {fn.__name__}: {type(e).__name__}",
                        "This is a bug in the crosscloud sandbox provider; see the provider's stderr "
                        "in the Terraform log (TF_LOG=debug).")])
            return inner
        return wrap

    class SandboxServicer(ProviderServicer):
        _schema_response = None

        @property
        def p(self) -> SandboxProvider:
            return self.app  # type: ignore[return-value]

        @guarded(pb.GetProviderSchema.Response)
        def GetProviderSchema(self, request, context):
            if self._schema_response is None:
                # Terraform asks on every provider start; building the google one takes tens of
                # milliseconds, so the serialized response is cached per schema file version
                cache = self._schema_cache_path()
                try:
                    self._schema_response = pb.GetProviderSchema.Response.FromString(cache.read_bytes())
                    return self._schema_response
                except (OSError, ValueError):
                    pass
                doc = self.p.doc
                empty = pb.Schema(version=0, block=pb.Schema.Block(version=0))
                self._schema_response = pb.GetProviderSchema.Response(
                    provider=tfs().to_tf_schema(doc["provider"]["config"]).to_pb(),
                    provider_meta=empty,
                    resource_schemas={t: tfs().to_tf_schema(b).to_pb() for t, b in doc["resources"].items()},
                    data_source_schemas={t: tfs().to_tf_schema(b).to_pb()
                                         for t, b in doc["data_sources"].items()},
                )
                try:
                    cache.parent.mkdir(parents=True, exist_ok=True)
                    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
                    tmp.write_bytes(self._schema_response.SerializeToString())
                    os.replace(tmp, cache)
                except OSError:
                    pass
            return self._schema_response

        def _schema_cache_path(self) -> Path:
            here = Path(__file__).resolve().parent
            parts = []
            for f in (here / "schemas" / f"{self.p.name}.json", here / "tfschema.py"):
                st = f.stat()
                parts.append(f"{st.st_mtime_ns:x}{st.st_size:x}")
            home = Path(os.environ.get("HOME") or Path.home())
            return home / ".cache" / "crosscloud-provider" / f"schema-{self.p.name}-{'-'.join(parts)}.pb"

        @guarded(pb.ValidateResourceConfig.Response)
        def ValidateResourceConfig(self, request, context):
            config = dec(request.config) or {}
            return pb.ValidateResourceConfig.Response(diagnostics=self._rule_diags(request.type_name, config))

        @guarded(pb.ValidateDataResourceConfig.Response)
        def ValidateDataResourceConfig(self, request, context):
            config = dec(request.config) or {}
            return pb.ValidateDataResourceConfig.Response(
                diagnostics=self._rule_diags(request.type_name, config, data=True))

        def _rule_diags(self, type_name: str, config: dict, data: bool = False, errors_only: bool = False):
            """The real provider's validators (sandbox/validators.py) as diagnostics."""
            from . import validators  # noqa: PLC0415

            problems = validators.validate(self.p.name, type_name, config, data=data, errors_only=errors_only)
            return [diag(p.summary, p.detail, p.path,
                         pb.Diagnostic.WARNING if p.severity == "warning" else pb.Diagnostic.ERROR)
                    for p in problems]

        @guarded(pb.UpgradeResourceState.Response)
        def UpgradeResourceState(self, request, context):
            if not request.raw_state.json:
                raise cloud_error()("UpgradeResourceState: flatmap state is not supported by the sandbox")
            state = json.loads(request.raw_state.json)
            block = self.p.block(request.type_name)
            return pb.UpgradeResourceState.Response(upgraded_state=enc(tfs().normalise(block, state)))

        @guarded(pb.ConfigureProvider.Response)
        def ConfigureProvider(self, request, context):
            self.p.configure_provider(None, dec(request.config) or {})
            return pb.ConfigureProvider.Response()

        @guarded(pb.ReadResource.Response)
        def ReadResource(self, request, context):
            current = dec(request.current_state)
            new = self.p.cloud.read(request.type_name, current) if current else None
            if new is not None:
                new = {**new, **{n: None for n in tfs().write_only_names(self.p.block(request.type_name))}}
            return pb.ReadResource.Response(new_state=enc(new), private=request.private)

        @guarded(pb.PlanResourceChange.Response)
        def PlanResourceChange(self, request, context):
            t = request.type_name
            block = self.p.block(t)
            prior = dec(request.prior_state)
            proposed = dec(request.proposed_new_state)
            config = dec(request.config)
            R = pb.PlanResourceChange.Response
            if proposed is None:  # destroy
                return R(planned_state=enc(None), legacy_type_system=True)
            # the validators again, now that references are known (validate skipped unknowns)
            errors = self._rule_diags(t, config or {}, errors_only=True)
            if errors:
                return R(diagnostics=errors)
            for name in tfs().write_only_names(block):
                # write-only: never planned (Terraform refuses a plan holding one), never a diff
                proposed[name] = None
                if config is not None:
                    config[name] = None
            google = self.p.name == "google"
            defaults = sem().GOOGLE_DEFAULTS.get(t) if google else None
            cblocks = sem().GOOGLE_COMPUTED_BLOCKS.get(t, set()) if google else set()
            replace: list = []
            if prior is None:
                planned = tfs().plan_new(block, proposed, config, defaults, cblocks)
            else:
                planned = tfs().plan_update(block, prior, proposed, config, defaults, cblocks)
                if tfs().changed(block, prior, planned):
                    replace = tfs().replace_paths(block, prior, planned,
                                                     sem().google_force_new(t) if google else None)
                    for k in sem().VOLATILE.get(t, ()):
                        planned[k] = UNKNOWN
            sem().plan_known(t, planned)
            return R(planned_state=enc(planned), requires_replace=[attr_path(p) for p in replace],
                     planned_private=request.prior_private, legacy_type_system=True)

        @guarded(pb.ApplyResourceChange.Response)
        def ApplyResourceChange(self, request, context):
            t = request.type_name
            prior = dec(request.prior_state)
            planned = dec(request.planned_state)
            R = pb.ApplyResourceChange.Response
            cloud = self.p.cloud
            # write-only values reach the provider only in the config of this call: the cloud
            # gets them, the returned state never holds them
            write_only = tfs().write_only_names(self.p.block(t))
            if planned is not None and write_only:
                config = dec(request.config) or {}
                planned = {**planned, **{n: config.get(n) for n in write_only}}
            from .stopping import CreateInterrupted  # noqa: PLC0415

            try:
                if planned is None:
                    cloud.delete(t, prior)
                    new = None
                elif prior is None:
                    new = cloud.create(t, planned)
                else:
                    new = cloud.update(t, prior, planned)
                if new is not None:
                    new = {**new, **{n: None for n in write_only}}
            except CreateInterrupted as e:  # new state with the id + an error: Terraform keeps it, tainted
                return R(new_state=enc({**e.state, **{n: None for n in write_only}}), private=request.planned_private, legacy_type_system=True,
                         diagnostics=[diag(f"Interrupted while waiting for {t} {e.state.get('id')} to be created",
                                           "Terraform asked the provider to stop. The object exists and is "
                                           "recorded as tainted; the next apply replaces it.")])
            except cloud_error() as e:
                return R(new_state=enc(prior), diagnostics=[diag(e.summary, e.detail, e.path)],
                         legacy_type_system=True)
            return R(new_state=enc(new), private=request.planned_private, legacy_type_system=True)

        @guarded(pb.ImportResourceState.Response)
        def ImportResourceState(self, request, context):
            state = self.p.cloud.import_state(request.type_name, request.id)
            if state is None:
                raise cloud_error()("Cannot import non-existent remote object",
                                 f"No {request.type_name} with id {request.id} exists in the sandbox.")
            return pb.ImportResourceState.Response(imported_resources=[
                pb.ImportResourceState.ImportedResource(type_name=request.type_name, state=enc(state))])

        @guarded(pb.ReadDataSource.Response)
        def ReadDataSource(self, request, context):
            t = request.type_name
            state = self.p.cloud.read_data(t, dec(request.config) or {})
            return pb.ReadDataSource.Response(state=enc(tfs().finalise(self.p.block(t, data=True), state)))

    return SandboxServicer


def _exit_with_parent() -> None:
    """Leave no orphan behind: exit when Terraform (the parent) has gone away."""
    import threading  # noqa: PLC0415

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _StopGracefully:
    """In place of ``tf.runner``'s shutdown interceptor, which stops the gRPC server with no grace
    as soon as Terraform sends StopProvider, so the reply of an in-flight create is lost while the
    cloud keeps the object (the next apply then fails with "already exists"). Here StopProvider
    only asks the in-flight calls to finish early (see :mod:`.stopping`); the server stops when
    Terraform sends the plugin Shutdown, after those calls have answered."""

    last: "_StopGracefully | None" = None

    def __init__(self) -> None:
        self.stopped = False  # read by tf.runner's serve loop
        self.server = None  # set by tf.runner.run_provider
        _StopGracefully.last = self

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        if method == "/tfplugin6.Provider/StopProvider":
            from .stopping import STOP  # noqa: PLC0415

            STOP.set()
        elif method == "/plugin.GRPCController/Shutdown":
            self.stopped = True
            self._stop_soon()
        return continuation(handler_call_details)

    def _stop_soon(self) -> None:
        # tf.runner's serve loop only polls `stopped` every 50 ms; stopping the server here (calls
        # in flight, this Shutdown included, still answer within the grace) ends that wait at once.
        # Terraform waits for the process to exit after every walk, several times per command.
        import threading  # noqa: PLC0415

        server = self.server
        if server is not None:
            threading.Thread(target=lambda: server.stop(grace=STOP_GRACE_SECONDS), daemon=True).start()


STOP_GRACE_SECONDS = 10.0  # after Shutdown: time for a call still answering


def serve(argv: list[str], *, watch_parent: bool = True) -> None:
    """Run the plugin server of provider ``argv[0]`` until Terraform shuts it down."""
    if not argv or argv[0] not in PROVIDERS:
        raise SystemExit(f"usage: python -m crosscloud.sandbox.provider {{{'|'.join(PROVIDERS)}}}")
    provider = SandboxProvider(argv[0])
    from tf import provider as tf_provider  # noqa: PLC0415
    from tf import runner  # noqa: PLC0415

    runner._self_signed_cert = _fast_self_signed_cert
    runner._ShutdownInterceptor = _StopGracefully  # run_provider builds its interceptor from here
    if watch_parent:  # under the fork server the parent is the server: it watches the client instead
        _exit_with_parent()
    # Like go-plugin servers, ignore SIGINT: in a terminal Ctrl-C reaches the whole process group,
    # and Terraform itself turns it into StopProvider.
    import signal  # noqa: PLC0415

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tf_provider.ProviderServicer = servicer_class()  # run_provider picks the servicer up from here
    runner.run_provider(provider, [sys.argv[0]])
    stopper = _StopGracefully.last
    if stopper is not None and stopper.server is not None:
        stopper.server.stop(grace=STOP_GRACE_SECONDS).wait()


def main(argv: list[str] | None = None) -> None:
    serve(sys.argv[1:] if argv is None else argv)
    # Every call has answered and the store commits per call: skip the interpreter's teardown
    # (gRPC core shutdown, module cleanup), ~50 ms that Terraform would wait for on every start.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
