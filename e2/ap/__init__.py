"""E2AP v03.01 (O-RAN.WG3.E2AP-v03.01): typed messages, codec and sans-I/O connection state machines.

    from e2 import ap
    pdu = ap.encode(ap.RicIndication(...))      # strict, canonical aligned-PER bytes
    msg = ap.decode(pdu)                         # lenient; raises only e2.errors.E2Error subclasses
"""

from e2.ap.codec import RawPdu, decode, decode_raw, encode
from e2.ap.ies import (
    ActionNotAdmitted,
    Cause,
    ComponentConfig,
    ComponentConfigAck,
    ComponentRef,
    GlobalE2NodeId,
    GlobalRicId,
    RanFunction,
    RanFunctionRef,
    RanFunctionRejection,
    RicAction,
    RicRequestId,
    SubscriptionDetails,
    SubsequentAction,
    TnlAssociationRemoval,
)
from e2.ap.messages import (
    MESSAGE_TYPES,
    E2apMessage,
    E2NodeConfigurationUpdate,
    E2NodeConfigurationUpdateAcknowledge,
    E2NodeConfigurationUpdateFailure,
    E2SetupFailure,
    E2SetupRequest,
    E2SetupResponse,
    ErrorIndication,
    ResetRequest,
    ResetResponse,
    RicControlAcknowledge,
    RicControlFailure,
    RicControlRequest,
    RicIndication,
    RicServiceQuery,
    RicServiceUpdate,
    RicServiceUpdateAcknowledge,
    RicServiceUpdateFailure,
    RicSubscriptionDeleteFailure,
    RicSubscriptionDeleteRequest,
    RicSubscriptionDeleteResponse,
    RicSubscriptionFailure,
    RicSubscriptionRequest,
    RicSubscriptionResponse,
)
from e2.identity import Plmn, bits_to_int, int_to_bits, nr_cell_identity, split_nr_cell_identity

__all__ = [
    "encode", "decode", "decode_raw", "RawPdu", "Plmn", "bits_to_int", "int_to_bits", "nr_cell_identity",
    "split_nr_cell_identity", "ActionNotAdmitted", "Cause", "ComponentConfig", "ComponentConfigAck", "ComponentRef",
    "TnlAssociationRemoval", "E2NodeConfigurationUpdate", "E2NodeConfigurationUpdateAcknowledge",
    "E2NodeConfigurationUpdateFailure",
    "GlobalE2NodeId", "GlobalRicId", "RanFunction", "RanFunctionRef", "RanFunctionRejection", "RicAction",
    "RicRequestId", "SubscriptionDetails", "SubsequentAction", "MESSAGE_TYPES", "E2apMessage", "E2SetupFailure",
    "E2SetupRequest", "E2SetupResponse", "ErrorIndication", "ResetRequest", "ResetResponse",
    "RicControlAcknowledge", "RicControlFailure", "RicControlRequest", "RicIndication", "RicServiceQuery",
    "RicServiceUpdate", "RicServiceUpdateAcknowledge", "RicServiceUpdateFailure", "RicSubscriptionDeleteFailure",
    "RicSubscriptionDeleteRequest", "RicSubscriptionDeleteResponse", "RicSubscriptionFailure",
    "RicSubscriptionRequest", "RicSubscriptionResponse",
]
