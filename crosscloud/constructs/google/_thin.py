"""Runtime of the thin google L1 classes in `generated.py` (hand-written; the classes are generated).

A thin class is a plain cdktf `TerraformResource` (or `TerraformProvider`) subclass that keeps its
arguments in a dict keyed by Terraform name and hands that dict to cdktf from
`_synthesize_attributes` (the jsii protected member: overriding `synthesize_attributes` without
the underscore silently synthesizes empty resources). Nested blocks are `Struct`s: a single block
is one Struct (rendered as one object), a list block a sequence of them (a list of objects).
Unset (None) arguments are omitted, exactly as the prebuilt classes omit undefined ones.

What the prebuilt classes have and these do not: setters/`reset_*`/`put_*` methods, block
accessors (`*OutputReference`), `*_input` getters, runtime type checks (typeguard). HCL synthesis
(`cdktn|cdktf synth --hcl`) is derived from the schema by ../hcl_attributes.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Sequence

from ...cdk import (
    Construct,
    TerraformDataSource,
    TerraformProvider,
    TerraformProviderGeneratorMetadata,
    TerraformResource,
)

__all__ = ["Construct", "GoogleDataSource", "GoogleProviderBase", "GoogleResource", "Struct", "metadata"]

#: What the prebuilt GoogleProvider passes as terraformProviderSource (cdktn-provider-google 21.x):
#: it becomes required_providers.google.source in the synthesized JSON.
PROVIDER_SOURCE = "hashicorp/google"


def metadata(version: str) -> TerraformProviderGeneratorMetadata:
    # cdktf 0.21 writes required_providers.google.version from provider_version (the constraint
    # is only its fallback); the prebuilt package says providerVersion "6.50.0" (constraint "~> 6.0").
    return TerraformProviderGeneratorMetadata(provider_name="google", provider_version=version,
                                              provider_version_constraint=version)


class Struct:
    """A nested block. `_values` holds its arguments by Terraform name; unset ones are absent."""

    __slots__ = ("_values",)
    TF_BLOCK: ClassVar[str] = ""  # "<type>.<block path>", for messages

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = {k: v for k, v in values.items() if v is not None}

    def to_terraform(self) -> dict[str, Any]:
        return {k: to_terraform(v) for k, v in self._values.items()}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values == self._values  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), repr(self._values)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"


def to_terraform(value: Any) -> Any:
    if isinstance(value, Struct):
        return value.to_terraform()
    if isinstance(value, (list, tuple)):
        return [to_terraform(v) for v in value]
    if isinstance(value, dict):
        return {k: to_terraform(v) for k, v in value.items()}
    return value


def block(cls: type[Struct], value: Any) -> Any:
    """One block argument: a `cls` instance, or a dict of its keyword arguments (as the prebuilt
    classes accept); anything else (a token) is passed through."""
    if value is None or type(value) is cls:
        return value
    if isinstance(value, Struct):
        raise TypeError(f"{cls.TF_BLOCK} takes {cls.__name__}, not {type(value).__name__}")
    if isinstance(value, Mapping):
        return cls(**value)
    return value


def blocks(cls: type[Struct], value: Any) -> Any:
    """A list block argument: a sequence of `cls`; a token is passed through. (Dicts are refused
    here as the prebuilt classes refuse them in list blocks, so code written against either
    bindings runs on both.)"""
    if isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, Mapping):
                raise TypeError(f"{cls.TF_BLOCK}: give {cls.__name__}(...) items, not dicts")
        return [block(cls, v) for v in value]
    return block(cls, value)


class GoogleResource(TerraformResource):
    """Base of the generated resource classes (`TF_RESOURCE_TYPE` is the Terraform type)."""

    TF_RESOURCE_TYPE: ClassVar[str]
    _METADATA: ClassVar[TerraformProviderGeneratorMetadata]  # set by generated.py

    def __init__(self, scope: Construct, id_: str, arguments: dict[str, Any], *, connection: Any = None,
                 count: Any = None, depends_on: Sequence[Any] | None = None, for_each: Any = None,
                 lifecycle: Any = None, provider: TerraformProvider | None = None,
                 provisioners: Sequence[Any] | None = None) -> None:
        super().__init__(scope, id_, terraform_resource_type=self.TF_RESOURCE_TYPE,
                         terraform_generator_metadata=self._METADATA, connection=connection, count=count,
                         depends_on=depends_on, for_each=for_each, lifecycle=lifecycle, provider=provider,
                         provisioners=provisioners)
        self._arguments = {k: v for k, v in arguments.items() if v is not None}
        self._depends_on = tuple(depends_on or ())  # for `synth --hcl` (with_bare_depends_on)

    def _synthesize_attributes(self) -> dict[str, Any]:
        return {k: to_terraform(v) for k, v in self._arguments.items()}

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:  # `synth --hcl` (jsii protected member)
        from ..hcl_attributes import resource_hcl
        return resource_hcl(self.TF_RESOURCE_TYPE, self._synthesize_attributes())

    def to_hcl_terraform(self) -> Any:
        from ..hcl_attributes import with_bare_depends_on
        return with_bare_depends_on(super().to_hcl_terraform(), self._depends_on)

    @property
    def arguments(self) -> dict[str, Any]:
        """The arguments given, by Terraform name (unset ones absent)."""
        return dict(self._arguments)


class GoogleDataSource(TerraformDataSource):
    """Base of the generated data source classes (`TF_RESOURCE_TYPE` without the ``data.``)."""

    TF_RESOURCE_TYPE: ClassVar[str]
    _METADATA: ClassVar[TerraformProviderGeneratorMetadata]  # set by generated.py

    def __init__(self, scope: Construct, id: str, arguments: dict[str, Any], *, connection: Any = None,
                 count: Any = None, depends_on: Sequence[Any] | None = None, for_each: Any = None,
                 lifecycle: Any = None, provider: TerraformProvider | None = None,
                 provisioners: Sequence[Any] | None = None) -> None:
        super().__init__(scope, id, terraform_resource_type=self.TF_RESOURCE_TYPE,
                         terraform_generator_metadata=self._METADATA, connection=connection, count=count,
                         depends_on=depends_on, for_each=for_each, lifecycle=lifecycle, provider=provider,
                         provisioners=provisioners)
        self._arguments = {k: v for k, v in arguments.items() if v is not None}
        self._depends_on = tuple(depends_on or ())  # for `synth --hcl` (with_bare_depends_on)

    def _synthesize_attributes(self) -> dict[str, Any]:
        return {k: to_terraform(v) for k, v in self._arguments.items()}

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:
        from ..hcl_attributes import resource_hcl
        return resource_hcl(self.TF_RESOURCE_TYPE, self._synthesize_attributes(), data_source=True)

    def to_hcl_terraform(self) -> Any:
        from ..hcl_attributes import with_bare_depends_on
        return with_bare_depends_on(super().to_hcl_terraform(), self._depends_on)

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self._arguments)


class GoogleProviderBase(TerraformProvider):
    """Base of the generated provider class (`TerraformProvider` is abstract in jsii)."""

    _METADATA: ClassVar[TerraformProviderGeneratorMetadata]  # set by generated.py

    def __init__(self, scope: Construct, id: str, arguments: dict[str, Any], *, alias: str | None = None) -> None:
        self._alias = alias
        super().__init__(scope, id, terraform_resource_type="google", terraform_generator_metadata=self._METADATA,
                         terraform_provider_source=PROVIDER_SOURCE)
        self._arguments = {k: v for k, v in arguments.items() if v is not None}

    def _synthesize_attributes(self) -> dict[str, Any]:
        out = {k: to_terraform(v) for k, v in self._arguments.items()}
        if self._alias is not None:
            out["alias"] = self._alias
        return out

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:  # the alias comes from the `alias` property
        from ..hcl_attributes import provider_hcl
        return provider_hcl("google", {k: to_terraform(v) for k, v in self._arguments.items()})

    # TerraformProvider.alias is a stub every provider class overrides (fqn "google.<alias>" and the
    # provider block's alias come from it); a Python property here is registered as that override.
    @property
    def alias(self) -> str | None:
        return self._alias

    @alias.setter
    def alias(self, value: str | None) -> None:
        self._alias = value

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self._arguments)

