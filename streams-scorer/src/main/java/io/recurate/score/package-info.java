/**
 * The Kafka Streams scoring topology: batching, scoring, routing, hot swap. Not built yet: issue 4
 * fills this module.
 */
package io.recurate.score;
