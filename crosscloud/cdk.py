"""The one place crosscloud imports CDK for Terraform from.

CDKTF is archived upstream at 0.21.0; moving to the community fork (`cdktn`) is an import
rename here, not a hunt through the code base.
"""

import os

# jsii prints an end-of-life banner on Node 20 at every start; the project supports Node >= 20.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from cdktf import (  # noqa: F401  (re-exports)
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
