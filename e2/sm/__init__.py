"""E2 service models (E2SM-KPM v03.00/v02.03, E2SM-RC v01.03, E2SM-CCC) as plug-ins behind one interface.

    from e2.sm import default_registry, PayloadKind
    kpm = default_registry().lookup(name="kpm")           # newest version
    msg = kpm.decode(PayloadKind.INDICATION_MESSAGE, data)  # typed dataclass
    data = kpm.encode(msg)                                  # canonical aligned PER

Importing this package is cheap: ASN.1 modules compile on first use of a codec.
"""

from e2.sm.base import PayloadKind, ServiceModel
from e2.sm.registry import Registry, default_registry

__all__ = ["PayloadKind", "Registry", "ServiceModel", "default_registry"]
