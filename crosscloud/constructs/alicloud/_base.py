"""Thin L1 base classes for the alicloud provider (no prebuilt CDKTF package exists for it).

Each subclass mirrors one Terraform type 1:1: keyword arguments carry the provider's argument
names, nested blocks are `Block` dataclasses (one value = a single block, a list = a repeated
block), computed attributes are properties that return tokens.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from typing import Any, ClassVar, Sequence

from ...cdk import Construct, TerraformDataSource, TerraformProvider, TerraformProviderGeneratorMetadata, TerraformResource

PROVIDER_SOURCE = "aliyun/alicloud"
# 1.250.0 is the first release with cs_managed_kubernetes.profile = "Serverless"; 2.x is beta.
PROVIDER_VERSION_CONSTRAINT = ">= 1.250.0, < 2.0.0"
_METADATA = TerraformProviderGeneratorMetadata(provider_name="alicloud", provider_version_constraint=PROVIDER_VERSION_CONSTRAINT)

# Constructor parameters that are cdktf meta-arguments, not provider arguments.
_META = {"self", "scope", "id", "depends_on", "provider", "__class__"}


@dataclasses.dataclass(frozen=True)
class Block:
    """A nested block; fields are the block's argument names. None means "not set"."""


def to_terraform(value: Any) -> Any:
    if isinstance(value, Block):
        return {f.name: to_terraform(v) for f in dataclasses.fields(value) if (v := getattr(value, f.name)) is not None}
    if isinstance(value, (list, tuple)):
        return [to_terraform(v) for v in value]
    return value


def arguments(local_vars: dict[str, Any]) -> dict[str, Any]:
    """The provider arguments among a constructor's locals(), unset ones dropped."""
    return {k: v for k, v in local_vars.items() if k not in _META and v is not None}


def _is_block(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, Block)


def block_kinds(cls: type) -> dict[str, str]:
    """{argument: "single" | "list"} for every nested-block argument of an L1 class or Block."""
    hints = typing.get_type_hints(cls if dataclasses.is_dataclass(cls) else cls.__init__)
    kinds = {}
    for name, hint in hints.items():
        for option in typing.get_args(hint) or (hint,):  # "X | None" -> X
            if _is_block(option):
                kinds[name] = "single"
            elif typing.get_origin(option) in (list, collections.abc.Sequence) and _is_block(typing.get_args(option)[0]):
                kinds[name] = "list"
    return kinds


class AlicloudResource(TerraformResource):
    TF_TYPE: ClassVar[str]

    def __init__(self, scope: Construct, id: str, args: dict[str, Any], *, depends_on: Sequence[Any] | None = None,
                 provider: TerraformProvider | None = None):
        super().__init__(scope, id, terraform_resource_type=self.TF_TYPE, terraform_generator_metadata=_METADATA,
                         depends_on=depends_on, provider=provider)
        self._arguments = args
        self._depends_on = tuple(depends_on or ())  # for `synth --hcl` (with_bare_depends_on)

    def _synthesize_attributes(self) -> dict[str, Any]:
        return {k: to_terraform(v) for k, v in self._arguments.items()}

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:  # `synth --hcl` (jsii protected member)
        from ..hcl_attributes import resource_hcl
        return resource_hcl(self.TF_TYPE, self._synthesize_attributes())

    def to_hcl_terraform(self) -> Any:
        from ..hcl_attributes import with_bare_depends_on
        return with_bare_depends_on(super().to_hcl_terraform(), self._depends_on)

    @property
    def id(self) -> str:
        return self.get_string_attribute("id")

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self._arguments)


class AlicloudDataSource(TerraformDataSource):
    TF_TYPE: ClassVar[str]

    def __init__(self, scope: Construct, id: str, args: dict[str, Any], *, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, terraform_resource_type=self.TF_TYPE, terraform_generator_metadata=_METADATA, depends_on=depends_on)
        self._arguments = args
        self._depends_on = tuple(depends_on or ())  # for `synth --hcl` (with_bare_depends_on)

    def _synthesize_attributes(self) -> dict[str, Any]:
        return {k: to_terraform(v) for k, v in self._arguments.items()}

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:  # `synth --hcl` (jsii protected member)
        from ..hcl_attributes import resource_hcl
        return resource_hcl(self.TF_TYPE, self._synthesize_attributes(), data_source=True)

    def to_hcl_terraform(self) -> Any:
        from ..hcl_attributes import with_bare_depends_on
        return with_bare_depends_on(super().to_hcl_terraform(), self._depends_on)

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self._arguments)


class AlicloudProvider(TerraformProvider):
    TF_TYPE = "alicloud"

    def __init__(self, scope: Construct, id: str, *, region: str, alias: str | None = None):
        super().__init__(scope, id, terraform_resource_type="alicloud", terraform_generator_metadata=_METADATA,
                         terraform_provider_source=PROVIDER_SOURCE)
        self._arguments = arguments({"region": region, "alias": alias})

    def _synthesize_attributes(self) -> dict[str, Any]:
        return dict(self._arguments)

    def _synthesize_hcl_attributes(self) -> dict[str, Any]:
        from ..hcl_attributes import provider_hcl
        return provider_hcl("alicloud", self._synthesize_attributes())
