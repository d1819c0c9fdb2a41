"""The one place crosscloud imports its CDK library from: CDK Terrain (`cdktn`).

CDKTF (`cdktf`) is archived upstream at 0.21.0; CDK Terrain is its maintained continuation,
reads the same cdktf.json, keeps logical ids and the CDKTF_* variables.
"""

import os

# jsii prints an end-of-life banner on Node 20 at every start; the project supports Node >= 20.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from cdktn import (  # noqa: F401  (re-exports)
    App,
    CloudBackend,
    Fn,
    LocalBackend,
    NamedCloudWorkspace,
    TerraformDataSource,
    TerraformOutput,
    TerraformProvider,
    TerraformProviderGeneratorMetadata,
    TerraformResource,
    TerraformStack,
    TerraformVariable,
    Testing,
    Token,
)
from constructs import Construct  # noqa: F401
