// Decodes records recurate wrote and encodes records for recurate to read, with Confluent's own
// Node.js serdes, through the registry under test. Input and output are JSON files.
const fs = require('fs');
const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } = require('@confluentinc/schemaregistry');

async function main() {
  const [, , inFile, outFile] = process.argv;
  const input = JSON.parse(fs.readFileSync(inFile, 'utf8'));
  const client = new SchemaRegistryClient({ baseURLs: [input.registryUrl] });

  const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
  const decoded = [];
  for (const record of input.toDecode) {
    decoded.push(await deserializer.deserialize(record.topic, Buffer.from(record.base64, 'base64')));
  }

  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const encoded = [];
  for (const record of input.toEncode) {
    encoded.push((await serializer.serialize(record.topic, record.value)).toString('base64'));
  }

  const json = JSON.stringify({ decoded, encoded }, (key, v) => (typeof v === 'bigint' ? v.toString() : v));
  fs.writeFileSync(outFile, json);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
