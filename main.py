"""The cdktf entry point (`cdktf synth`, `cdktf deploy`): builds exactly the stacks
`crosscloud synth` builds, from $CROSSCLOUD_CONFIG (default examples/seed.yaml, as crosscloud without -c)."""

import os
import sys

from crosscloud.cdk import App
from crosscloud.config import ConfigError, load_topology
from crosscloud.stacks import build_stacks

try:
    topology = load_topology(os.environ.get("CROSSCLOUD_CONFIG", "examples/seed.yaml"))
except ConfigError as err:
    sys.exit(str(err))
app = App()
build_stacks(app, topology)
app.synth()
