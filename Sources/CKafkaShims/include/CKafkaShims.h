// Non-variadic wrappers for librdkafka's variadic functions, which Swift cannot call directly.
#ifndef CKAFKASHIMS_H
#define CKAFKASHIMS_H

#include <librdkafka/rdkafka.h>

/* Produces one message with RD_KAFKA_MSG_F_COPY (librdkafka copies key and value
 * once, before returning). partition -1 = RD_KAFKA_PARTITION_UA (partitioner decides).
 * headers may be NULL; on success librdkafka owns them, on failure the caller still does.
 * msg_opaque comes back as rkmessage->_private in the delivery report. */
rd_kafka_resp_err_t cshims_rd_kafka_produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                            const void *key, size_t key_len,
                                            const void *value, size_t value_len,
                                            rd_kafka_headers_t *headers, void *msg_opaque);

#endif
