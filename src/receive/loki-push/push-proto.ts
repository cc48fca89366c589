import protobuf from 'protobufjs';

/**
 * Loki's logproto.PushRequest, written from the documented wire format (field numbers of
 * push.proto). Own schema: the receiver must not depend on generated Go-ish bindings.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    logproto: {
      nested: {
        PushRequest: { fields: { streams: { rule: 'repeated', type: 'StreamAdapter', id: 1 } } },
        StreamAdapter: {
          fields: {
            labels: { type: 'string', id: 1 },
            entries: { rule: 'repeated', type: 'EntryAdapter', id: 2 },
            hash: { type: 'uint64', id: 3 },
          },
        },
        EntryAdapter: {
          fields: {
            timestamp: { type: 'Timestamp', id: 1 },
            line: { type: 'string', id: 2 },
            structuredMetadata: { rule: 'repeated', type: 'LabelPairAdapter', id: 3 },
          },
        },
        LabelPairAdapter: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
      },
    },
  },
});

export const PushRequestType = root.lookupType('logproto.PushRequest');

export interface ProtoPushRequest {
  streams?: Array<{
    labels?: string;
    entries?: Array<{
      timestamp?: { seconds?: number | { toString(): string }; nanos?: number };
      line?: string;
      structuredMetadata?: Array<{ name?: string; value?: string }>;
    }>;
  }>;
}
