// Generated from openapi.yaml by scripts/openapi-json.py; do not edit by hand.

/// The OpenAPI document this build implements, served at `/openapi.json`.
enum OpenAPIDocument {
    static let json = ##"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Vesper",
  "version": "0.1.0",
  "summary": "A durable job queue, and the protocol for workers in any language.",
  "description": "Every Vesper node serves this document at `/openapi.json`. It is written in `openapi.yaml`\nand compiled into the node (`scripts/openapi-json.py` turns it into\n`Sources/VesperHTTP/OpenAPI/OpenAPIDocument.swift`; a test checks that the two agree and that\nevery route the node registers is described here).\n\nErrors share one shape, `{\"error\": {\"code\", \"message\", \"field\"?}}`. With `API_TOKENS` set,\nevery endpoint except `/health`, `/ready` and `/openapi.json` (and `/metrics` with\n`METRICS_REQUIRE_TOKEN=0`) needs `Authorization: Bearer <token>`: a missing or unknown token\nis `401`, a role that may not do something is `403`. `HEAD` answers like the `GET` of the same\npath, without a body. The operator's dashboard under `/ui` serves HTML pages and is not part\nof this contract.\n"
 },
 "servers": [
  {
   "url": "http://localhost:8080"
  }
 ],
 "security": [
  {},
  {
   "bearer": []
  }
 ],
 "tags": [
  {
   "name": "jobs",
   "description": "Submit, read, list, retry and cancel jobs."
  },
  {
   "name": "workers",
   "description": "The worker protocol (long-poll claims, heartbeats, completions, failures) and the fleet."
  },
  {
   "name": "operations",
   "description": "Health, readiness, queues, statistics, metrics."
  }
 ],
 "paths": {
  "/jobs": {
   "post": {
    "tags": [
     "jobs"
    ],
    "operationId": "submitJob",
    "summary": "Submit a job",
    "description": "`201` with the new job; `200` with the stored job when the idempotency key was used for the\nsame request before; `409` when it was used for a different one. Unknown fields are a `400`.\nWith `unique`, `200` with `\"duplicate\": true` and the job holding the key when one is in\nthe given states and younger than `for`; nothing is created.\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/IdempotencyKey"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewJob"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Created and durably stored.",
      "headers": {
       "Location": {
        "$ref": "#/components/headers/Location"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      },
      "links": {
       "GetJob": {
        "operationId": "getJob",
        "parameters": {
         "id": "$response.body#/job_id"
        }
       },
       "CancelJob": {
        "operationId": "cancelJob",
        "parameters": {
         "id": "$response.body#/job_id"
        }
       },
       "RetryJob": {
        "operationId": "retryJob",
        "parameters": {
         "id": "$response.body#/job_id"
        }
       }
      }
     },
     "200": {
      "description": "The idempotency key was used for the same request before, or the unique key is held (`\"duplicate\": true`); the stored job.",
      "headers": {
       "Location": {
        "$ref": "#/components/headers/Location"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/BodyTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   },
   "get": {
    "tags": [
     "jobs"
    ],
    "operationId": "listJobs",
    "summary": "List jobs, newest first",
    "description": "Up to `limit` jobs, ending early (with a `next_cursor`) before their payloads add up to\nmore than 4 MiB; pass `next_cursor` back as `cursor` for the next page. Unknown query\nparameters are a `400`.\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/StatusFilter"
     },
     {
      "$ref": "#/components/parameters/TypeFilter"
     },
     {
      "$ref": "#/components/parameters/QueueFilter"
     },
     {
      "$ref": "#/components/parameters/PartitionFilter"
     },
     {
      "$ref": "#/components/parameters/PriorityFilter"
     },
     {
      "$ref": "#/components/parameters/CreatedAfter"
     },
     {
      "$ref": "#/components/parameters/CreatedBefore"
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000,
       "default": 50
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "description": "The `next_cursor` of the previous page.",
      "schema": {
       "type": "string",
       "pattern": "^[1-9][0-9]{0,18}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "One page.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "jobs",
          "next_cursor"
         ],
         "properties": {
          "jobs": {
           "type": "array",
           "items": {
            "$ref": "#/components/schemas/Job"
           }
          },
          "next_cursor": {
           "type": [
            "string",
            "null"
           ],
           "description": "`null` on the last page."
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/batch": {
   "post": {
    "tags": [
     "jobs"
    ],
    "operationId": "submitBatch",
    "summary": "Submit jobs atomically",
    "description": "Every job is created, or none: the first invalid one is named (`\"field\": \"jobs[1].priority\"`).\n`201` when at least one job was created, `200` when every job already existed under its\nidempotency key or unique key. The `Idempotency-Key` header is refused here; give each job its own key.\nA unique job whose key is held is not an error: its entry is the holder with `\"duplicate\": true`\n(also when an earlier job of the same batch took the key), and the rest of the batch is stored.\n",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "additionalProperties": false,
        "required": [
         "jobs"
        ],
        "properties": {
         "jobs": {
          "type": "array",
          "minItems": 1,
          "maxItems": 1000,
          "description": "At most `MAX_BATCH` (1,000 by default).",
          "items": {
           "$ref": "#/components/schemas/NewJob"
          }
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Created, all of them in one transaction.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/JobList"
        }
       }
      }
     },
     "200": {
      "description": "Every job already existed under its idempotency key.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/JobList"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/BodyTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/retry": {
   "post": {
    "tags": [
     "jobs"
    ],
    "operationId": "retryMatching",
    "summary": "Retry every job matching the filters (admin)",
    "description": "Takes the filters of `GET /jobs` (not `limit` or `cursor`) and retries every match that is\n`dlq` or `failed`; `skipped` counts matches in another state.\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/StatusFilter"
     },
     {
      "$ref": "#/components/parameters/TypeFilter"
     },
     {
      "$ref": "#/components/parameters/QueueFilter"
     },
     {
      "$ref": "#/components/parameters/PartitionFilter"
     },
     {
      "$ref": "#/components/parameters/PriorityFilter"
     },
     {
      "$ref": "#/components/parameters/CreatedAfter"
     },
     {
      "$ref": "#/components/parameters/CreatedBefore"
     }
    ],
    "responses": {
     "200": {
      "description": "What was retried.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "retried",
          "skipped"
         ],
         "properties": {
          "retried": {
           "type": "integer",
           "minimum": 0
          },
          "skipped": {
           "type": "integer",
           "minimum": 0
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/delete": {
   "post": {
    "tags": [
     "jobs"
    ],
    "operationId": "deleteMatching",
    "summary": "Delete every job matching the filters (admin)",
    "description": "Takes the filters of `GET /jobs` (not `limit` or `cursor`; at least one is required) and\ndeletes every match that is not `processing`; `skipped` counts running matches, which are\nnever deleted. Works in batches of 500, each one statement or transaction.\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/StatusFilter"
     },
     {
      "$ref": "#/components/parameters/TypeFilter"
     },
     {
      "$ref": "#/components/parameters/QueueFilter"
     },
     {
      "$ref": "#/components/parameters/PartitionFilter"
     },
     {
      "$ref": "#/components/parameters/PriorityFilter"
     },
     {
      "$ref": "#/components/parameters/CreatedAfter"
     },
     {
      "$ref": "#/components/parameters/CreatedBefore"
     }
    ],
    "responses": {
     "200": {
      "description": "What was deleted.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "deleted",
          "skipped"
         ],
         "properties": {
          "deleted": {
           "type": "integer",
           "minimum": 0
          },
          "skipped": {
           "type": "integer",
           "minimum": 0
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/{id}": {
   "get": {
    "tags": [
     "jobs"
    ],
    "operationId": "getJob",
    "summary": "Read one job",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "responses": {
     "200": {
      "description": "The job.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   },
   "delete": {
    "tags": [
     "jobs"
    ],
    "operationId": "deleteJob",
    "summary": "Delete a job that is not running (admin)",
    "description": "Answers with the job as it was; its idempotency key is free again. `409` while `processing`.",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "responses": {
     "200": {
      "description": "The job as it was before it was deleted.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/{id}/run": {
   "post": {
    "tags": [
     "jobs"
    ],
    "operationId": "runJobNow",
    "summary": "Make a scheduled job due now (admin)",
    "description": "Sets `run_at` to now. A job waiting for a retry's backoff is `scheduled` too: its next\nattempt runs now, `retries` unchanged. `409` in any other state.\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "responses": {
     "200": {
      "description": "The job, now pending.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/{id}/retry": {
   "post": {
    "tags": [
     "jobs"
    ],
    "operationId": "retryJob",
    "summary": "Put a dlq or failed job back to pending (admin)",
    "description": "Retries are reset. `409` in any other state.",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "responses": {
     "200": {
      "description": "The job, now pending.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/{id}/cancel": {
   "post": {
    "tags": [
     "jobs"
    ],
    "operationId": "cancelJob",
    "summary": "Cancel a pending or scheduled job, or ask a processing one to stop (admin)",
    "description": "A processing job answers `202` with `cancel_requested: true`; the node holding it ends it `cancelled` at its next heartbeat. `409` in any other state.",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "responses": {
     "200": {
      "description": "The job, now cancelled.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "202": {
      "description": "The job, still processing, with `cancel_requested`.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/claims": {
   "post": {
    "tags": [
     "workers"
    ],
    "operationId": "claimJobs",
    "summary": "Lease jobs to a remote worker (long poll)",
    "description": "Leases up to `max` claimable jobs (highest priority first, then first in, first out) to\nthe worker, waiting up to `wait` for some when none is claimable: an enqueue on any node\nends the wait within milliseconds. An empty `jobs` means the wait ran out. Each job's\n`attempt` is its fencing token: send it with every heartbeat, completion and failure.\nHeartbeat each job every `heartbeat_interval_seconds`; a worker that stops talking to the\nfleet for `NODE_TIMEOUT` loses its jobs (they are retried as lost attempts). The worker\nshows in `GET /workers` as `remote:<worker>` with `max` slots. Role: `worker` or `admin`.\n",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ClaimRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The jobs leased, possibly none.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ClaimResponse"
        }
       }
      },
      "links": {
       "HeartbeatFirstJob": {
        "operationId": "heartbeatJob",
        "parameters": {
         "id": "$response.body#/jobs/0/job/job_id"
        },
        "requestBody": {
         "attempt": "$response.body#/jobs/0/attempt"
        }
       },
       "CompleteFirstJob": {
        "operationId": "completeJob",
        "parameters": {
         "id": "$response.body#/jobs/0/job/job_id"
        },
        "requestBody": {
         "attempt": "$response.body#/jobs/0/attempt"
        }
       },
       "FailFirstJob": {
        "operationId": "failJob",
        "parameters": {
         "id": "$response.body#/jobs/0/job/job_id"
        },
        "requestBody": {
         "attempt": "$response.body#/jobs/0/attempt",
         "error": "failed on purpose"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "413": {
      "$ref": "#/components/responses/BodyTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/{id}/heartbeat": {
   "post": {
    "tags": [
     "workers"
    ],
    "operationId": "heartbeatJob",
    "summary": "Extend the lease of a claimed job",
    "description": "Extends the lease by `LEASE_DURATION` and stores `progress` when given (shown by\n`GET /jobs/{id}` while the job runs). `409 stale_attempt` when the attempt is no longer\nthe job's current one (nothing changes: stop working on it); `409 deadline_exceeded` when\nthe attempt ran past its deadline, which records it as failed with error `timeout`;\n`409 cancelled` when an operator asked to cancel the job, which this heartbeat ended\n`cancelled` (stop working on it).\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "additionalProperties": false,
        "required": [
         "attempt"
        ],
        "properties": {
         "attempt": {
          "$ref": "#/components/schemas/Attempt"
         },
         "progress": {
          "type": "object",
          "additionalProperties": false,
          "required": [
           "percent"
          ],
          "properties": {
           "percent": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100
           },
           "message": {
            "type": "string",
            "description": "Cut to 256 bytes.",
            "pattern": "^[^\\u0000]*$"
           }
          }
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The lease was extended.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "job_id",
          "attempt",
          "lease_expires_at",
          "deadline"
         ],
         "properties": {
          "job_id": {
           "type": "string",
           "format": "uuid"
          },
          "attempt": {
           "$ref": "#/components/schemas/Attempt"
          },
          "lease_expires_at": {
           "type": [
            "string",
            "null"
           ],
           "format": "date-time"
          },
          "deadline": {
           "type": "string",
           "format": "date-time"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/BodyTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/{id}/complete": {
   "post": {
    "tags": [
     "workers"
    ],
    "operationId": "completeJob",
    "summary": "Record a claimed job as done",
    "description": "`409 stale_attempt` when the attempt is no longer current: nothing changes. `result` is\nstored with the job (`GET /jobs/{id}` returns it); one larger than `MAX_RESULT_BYTES` fails\nthe attempt instead, like an in-process handler's.\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "additionalProperties": false,
        "required": [
         "attempt"
        ],
        "properties": {
         "attempt": {
          "$ref": "#/components/schemas/Attempt"
         },
         "result": {
          "description": "Any JSON value, stored as the job's result."
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The job, now done.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/BodyTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/jobs/{id}/fail": {
   "post": {
    "tags": [
     "workers"
    ],
    "operationId": "failJob",
    "summary": "Record a claimed job's attempt as failed",
    "description": "Retryable failures are retried with exponential backoff while retries are left, then the\njob goes to `dlq`; `\"retryable\": false` makes it `failed` at once. The error is kept up to\n4 KiB. `409 stale_attempt` when the attempt is no longer current: nothing changes.\n",
    "parameters": [
     {
      "$ref": "#/components/parameters/JobID"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "additionalProperties": false,
        "required": [
         "attempt",
         "error"
        ],
        "properties": {
         "attempt": {
          "$ref": "#/components/schemas/Attempt"
         },
         "error": {
          "type": "string"
         },
         "retryable": {
          "type": "boolean",
          "default": true
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The job as the failure left it (scheduled for a retry, dlq or failed).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/BodyTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/workers": {
   "get": {
    "tags": [
     "workers"
    ],
    "operationId": "getFleet",
    "summary": "The fleet, nodes and remote workers",
    "responses": {
     "200": {
      "description": "Totals, machines, regions and nodes.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Fleet"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/queues": {
   "get": {
    "tags": [
     "operations"
    ],
    "operationId": "listQueues",
    "summary": "Depth per named queue",
    "responses": {
     "200": {
      "description": "Every queue with live jobs or a stored pause state.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "queues"
         ],
         "properties": {
          "queues": {
           "type": "array",
           "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "name",
             "pending",
             "scheduled",
             "processing",
             "paused",
             "concurrency",
             "rate",
             "starts_in_window",
             "limited"
            ],
            "properties": {
             "name": {
              "type": "string"
             },
             "pending": {
              "type": "integer",
              "minimum": 0
             },
             "scheduled": {
              "type": "integer",
              "minimum": 0
             },
             "processing": {
              "type": "integer",
              "minimum": 0,
              "description": "Leased jobs: what a concurrency limit counts."
             },
             "paused": {
              "type": "boolean"
             },
             "concurrency": {
              "$ref": "#/components/schemas/QueueConcurrency"
             },
             "rate": {
              "$ref": "#/components/schemas/QueueRate"
             },
             "starts_in_window": {
              "type": "integer",
              "minimum": 0,
              "description": "Claims within the rate period ending now; 0 without a rate limit."
             },
             "limited": {
              "type": "integer",
              "minimum": 0,
              "description": "Due jobs a limit holds back (the queue's or their concurrency key's)."
             }
            }
           }
          }
         }
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/queues/{name}": {
   "put": {
    "tags": [
     "operations"
    ],
    "operationId": "setQueueLimits",
    "summary": "Set a queue's fleet-wide concurrency and rate limits (admin)",
    "description": "Replaces the queue's limits: a member that is absent or `null` clears that limit. Enforced by every node's claim; jobs already leased run to the end.",
    "parameters": [
     {
      "$ref": "#/components/parameters/QueueName"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/QueueLimits"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The queue's limits now.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "queue",
          "concurrency",
          "rate"
         ],
         "properties": {
          "queue": {
           "type": "string"
          },
          "concurrency": {
           "$ref": "#/components/schemas/QueueConcurrency"
          },
          "rate": {
           "$ref": "#/components/schemas/QueueRate"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "413": {
      "$ref": "#/components/responses/BodyTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/queues/{name}/pause": {
   "post": {
    "tags": [
     "operations"
    ],
    "operationId": "pauseQueue",
    "summary": "Pause a queue fleet-wide (admin)",
    "parameters": [
     {
      "$ref": "#/components/parameters/QueueName"
     }
    ],
    "responses": {
     "200": {
      "$ref": "#/components/responses/QueueState"
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/queues/{name}/resume": {
   "post": {
    "tags": [
     "operations"
    ],
    "operationId": "resumeQueue",
    "summary": "Resume a paused queue (admin)",
    "parameters": [
     {
      "$ref": "#/components/parameters/QueueName"
     }
    ],
    "responses": {
     "200": {
      "$ref": "#/components/responses/QueueState"
     },
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/stats": {
   "get": {
    "tags": [
     "operations"
    ],
    "operationId": "getStats",
    "summary": "Counts, throughput and fleet totals",
    "responses": {
     "200": {
      "description": "Read from the database.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Stats"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/health": {
   "get": {
    "tags": [
     "operations"
    ],
    "operationId": "getHealth",
    "summary": "The process is up (always open)",
    "security": [
     {}
    ],
    "responses": {
     "200": {
      "description": "Always, while the process runs.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "status"
         ],
         "properties": {
          "status": {
           "const": "ok"
          }
         }
        }
       }
      }
     }
    }
   }
  },
  "/ready": {
   "get": {
    "tags": [
     "operations"
    ],
    "operationId": "getReady",
    "summary": "The database answers (always open)",
    "security": [
     {}
    ],
    "responses": {
     "200": {
      "description": "The database answered a query.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "status"
         ],
         "properties": {
          "status": {
           "const": "ready"
          }
         }
        }
       }
      }
     },
     "503": {
      "description": "The database did not answer.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": false,
         "required": [
          "status",
          "reason"
         ],
         "properties": {
          "status": {
           "const": "unavailable"
          },
          "reason": {
           "type": "string"
          }
         }
        }
       }
      }
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "tags": [
     "operations"
    ],
    "operationId": "getMetrics",
    "summary": "Prometheus text format",
    "description": "Needs a token when tokens are set, unless `METRICS_REQUIRE_TOKEN=0`.",
    "responses": {
     "200": {
      "description": "Every metric of this node.",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "tags": [
     "operations"
    ],
    "operationId": "getOpenAPIDocument",
    "summary": "This document, as JSON (always open)",
    "security": [
     {}
    ],
    "responses": {
     "200": {
      "description": "The OpenAPI 3.1 document this node implements.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer",
    "description": "A token of `API_TOKENS`: roles `admin`, `producer`, `worker`, `reader`."
   }
  },
  "headers": {
   "Location": {
    "description": "The job's URL, `/jobs/{id}`.",
    "schema": {
     "type": "string",
     "pattern": "^/jobs/[0-9a-f-]{36}$"
    }
   }
  },
  "parameters": {
   "JobID": {
    "name": "id",
    "in": "path",
    "required": true,
    "description": "A job id (a UUID); anything else is a `400`.",
    "schema": {
     "type": "string",
     "format": "uuid"
    }
   },
   "QueueName": {
    "name": "name",
    "in": "path",
    "required": true,
    "schema": {
     "$ref": "#/components/schemas/Name"
    }
   },
   "IdempotencyKey": {
    "name": "Idempotency-Key",
    "in": "header",
    "description": "The same as `idempotency_key` in the body; both at once must agree.",
    "schema": {
     "type": "string",
     "minLength": 1,
     "maxLength": 255
    }
   },
   "StatusFilter": {
    "name": "status",
    "in": "query",
    "schema": {
     "$ref": "#/components/schemas/JobStatus"
    }
   },
   "TypeFilter": {
    "name": "type",
    "in": "query",
    "schema": {
     "$ref": "#/components/schemas/Name"
    }
   },
   "QueueFilter": {
    "name": "queue",
    "in": "query",
    "schema": {
     "$ref": "#/components/schemas/Name"
    }
   },
   "PartitionFilter": {
    "name": "partition",
    "in": "query",
    "schema": {
     "$ref": "#/components/schemas/Partition"
    }
   },
   "PriorityFilter": {
    "name": "priority",
    "in": "query",
    "schema": {
     "$ref": "#/components/schemas/Priority"
    }
   },
   "CreatedAfter": {
    "name": "created_after",
    "in": "query",
    "description": "Created at or after this RFC 3339 time.",
    "schema": {
     "$ref": "#/components/schemas/Timestamp"
    }
   },
   "CreatedBefore": {
    "name": "created_before",
    "in": "query",
    "description": "Created before this RFC 3339 time.",
    "schema": {
     "$ref": "#/components/schemas/Timestamp"
    }
   }
  },
  "responses": {
   "BadRequest": {
    "description": "Malformed JSON (`malformed_json`), a missing, wrongly typed, unknown or out-of-range field\nor parameter (`invalid_field`, naming it in `field`), malformed HTTP framing\n(`malformed_request`), or a request not received in full (`incomplete_request`).\n",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Unauthorized": {
    "description": "No or an unknown bearer token (`unauthorized`), when `API_TOKENS` is set.",
    "headers": {
     "WWW-Authenticate": {
      "schema": {
       "type": "string"
      }
     }
    },
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Forbidden": {
    "description": "The token's role may not do this (`forbidden`).",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "NotFound": {
    "description": "No such job, or no such route (`not_found`).",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Conflict": {
    "description": "Not allowed in the job's state (`invalid_state`), an idempotency key used for a different\nrequest (`idempotency_conflict`), a stale attempt (`stale_attempt`), or an attempt past its\ndeadline (`deadline_exceeded`).\n",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "BodyTooLarge": {
    "description": "The body is larger than `MAX_BODY_BYTES` (`body_too_large`).",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "UnsupportedMediaType": {
    "description": "The body was not sent as `application/json` (`unsupported_media_type`).",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Unavailable": {
    "description": "The database did not answer (`database_unavailable`); nothing was half-written.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "QueueState": {
    "description": "The queue's pause state now.",
    "content": {
     "application/json": {
      "schema": {
       "type": "object",
       "additionalProperties": false,
       "required": [
        "queue",
        "paused"
       ],
       "properties": {
        "queue": {
         "type": "string"
        },
        "paused": {
         "type": "boolean"
        }
       }
      }
     }
    }
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "additionalProperties": false,
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string",
        "description": "A stable code, such as `invalid_field` or `stale_attempt`."
       },
       "message": {
        "type": "string",
        "description": "For people; never carries secrets."
       },
       "field": {
        "type": "string",
        "description": "The request field or parameter at fault."
       }
      }
     }
    }
   },
   "Name": {
    "type": "string",
    "pattern": "^[A-Za-z0-9_.:-]{1,128}$"
   },
   "Priority": {
    "type": "integer",
    "minimum": 0,
    "maximum": 10
   },
   "Attempt": {
    "type": "integer",
    "minimum": 1,
    "description": "The attempt number a claim returned; the fencing token."
   },
   "Timestamp": {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339, `Z` or an offset, from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z."
   },
   "Duration": {
    "type": "string",
    "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$",
    "description": "Such as `30s`, `500ms` or `1h30m`, at most `36500d`."
   },
   "JobStatus": {
    "type": "string",
    "enum": [
     "pending",
     "scheduled",
     "processing",
     "done",
     "failed",
     "dlq",
     "cancelled"
    ]
   },
   "QueueConcurrency": {
    "description": "At most this many of the queue's jobs leased at once across the fleet; null for no limit.",
    "type": [
     "integer",
     "null"
    ],
    "minimum": 1,
    "maximum": 1000000
   },
   "QueueRate": {
    "description": "At most `limit` claims of the queue's jobs in any `period` across the fleet; null for no limit.",
    "oneOf": [
     {
      "type": "null"
     },
     {
      "type": "object",
      "additionalProperties": false,
      "required": [
       "limit",
       "period"
      ],
      "properties": {
       "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000000
       },
       "period": {
        "type": "string",
        "pattern": "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
        "description": "Such as `1s`, `500ms` or `1m`, from 1ms to 24h."
       }
      }
     }
    ]
   },
   "QueueLimits": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
     "concurrency": {
      "$ref": "#/components/schemas/QueueConcurrency"
     },
     "rate": {
      "$ref": "#/components/schemas/QueueRate"
     }
    }
   },
   "JobConcurrency": {
    "description": "A fleet-wide limit shared by every job with the same key: at most `limit` of them leased at once.",
    "type": "object",
    "additionalProperties": false,
    "required": [
     "key",
     "limit"
    ],
    "properties": {
     "key": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "limit": {
      "type": "integer",
      "minimum": 1,
      "maximum": 100000
     }
    }
   },
   "NewJob": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "type"
    ],
    "properties": {
     "type": {
      "$ref": "#/components/schemas/Name"
     },
     "queue": {
      "$ref": "#/components/schemas/Name",
      "default": "default"
     },
     "priority": {
      "$ref": "#/components/schemas/Priority",
      "default": 0
     },
     "payload": {
      "description": "Any JSON value, stored and handed over exactly as sent. Defaults to `{}`."
     },
     "max_retries": {
      "type": "integer",
      "minimum": 0,
      "maximum": 100,
      "description": "Defaults to `MAX_RETRIES`."
     },
     "timeout_seconds": {
      "type": "number",
      "minimum": 0.001,
      "maximum": 604800,
      "description": "Per attempt; defaults to `JOB_TIMEOUT`."
     },
     "run_at": {
      "$ref": "#/components/schemas/Timestamp"
     },
     "delay": {
      "$ref": "#/components/schemas/Duration"
     },
     "idempotency_key": {
      "type": "string",
      "minLength": 1,
      "maxLength": 255
     },
     "region": {
      "allOf": [
       {
        "$ref": "#/components/schemas/Name"
       }
      ],
      "description": "Only nodes of this region (`REGION`) run the job. Without it, any node does."
     },
     "region_strict": {
      "type": "boolean",
      "default": false,
      "description": "With `region`: the job waits for its region even after `REGION_FAILOVER_AFTER`. `true` without `region` is a 400, like `run_at` with `delay`."
     },
     "partition": {
      "$ref": "#/components/schemas/Partition"
     },
     "concurrency": {
      "$ref": "#/components/schemas/JobConcurrency"
     },
     "unique": {
      "$ref": "#/components/schemas/Unique"
     }
    }
   },
   "Partition": {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[^\\x00-\\x1f\\x7f]+$",
    "description": "The tenant whose fair share the job counts against (at most 255 bytes of UTF-8, no control characters). Within a queue, partitions are claimed in turn at each priority."
   },
   "Unique": {
    "type": "object",
    "additionalProperties": false,
    "description": "While a job with the same key is in one of `states` and younger than `for`, a submission returns that job (`200`, `\"duplicate\": true`) instead of creating one. Unlike an idempotency key, the key is free again once its job has left those states or is older than `for`.",
    "properties": {
     "key": {
      "type": "string",
      "minLength": 1,
      "maxLength": 255,
      "description": "Defaults to the type and a digest of the payload's canonical JSON."
     },
     "for": {
      "$ref": "#/components/schemas/Duration",
      "description": "Counted from the holder's creation; above 0. Without it, no time limit."
     },
     "states": {
      "type": "array",
      "minItems": 1,
      "items": {
       "$ref": "#/components/schemas/JobStatus"
      },
      "description": "Defaults to `[pending, scheduled, processing]`."
     }
    }
   },
   "Job": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "job_id",
     "type",
     "queue",
     "region",
     "region_strict",
     "priority",
     "payload",
     "status",
     "retries",
     "max_retries",
     "error",
     "run_at",
     "created_at",
     "updated_at",
     "started_at",
     "finished_at",
     "idempotency_key",
     "partition",
     "attempt",
     "timeout_seconds",
     "cancel_requested",
     "progress"
    ],
    "properties": {
     "job_id": {
      "type": "string",
      "format": "uuid"
     },
     "type": {
      "type": "string"
     },
     "queue": {
      "type": "string"
     },
     "region": {
      "type": [
       "string",
       "null"
      ],
      "description": "The region the job is routed to; null: any node runs it."
     },
     "region_strict": {
      "type": "boolean",
      "description": "The job never fails over to another region."
     },
     "priority": {
      "$ref": "#/components/schemas/Priority"
     },
     "payload": {
      "description": "The payload exactly as submitted."
     },
     "status": {
      "$ref": "#/components/schemas/JobStatus"
     },
     "retries": {
      "type": "integer",
      "minimum": 0,
      "description": "Failed attempts so far."
     },
     "max_retries": {
      "type": "integer",
      "minimum": 0
     },
     "error": {
      "type": "string",
      "description": "The last attempt's error; empty when none, and for a done job."
     },
     "run_at": {
      "type": "string",
      "format": "date-time"
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "updated_at": {
      "type": "string",
      "format": "date-time"
     },
     "started_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "idempotency_key": {
      "type": [
       "string",
       "null"
      ]
     },
     "partition": {
      "type": [
       "string",
       "null"
      ],
      "description": "The job's fair-share partition, or null."
     },
     "unique_key": {
      "type": [
       "string",
       "null"
      ],
      "description": "The unique key the job was submitted with. In `GET /jobs/{id}` and submission responses."
     },
     "duplicate": {
      "type": "boolean",
      "description": "Only in submission responses of jobs with `unique`: true when the key was held and this is the holder, not a new job."
     },
     "attempt": {
      "type": "integer",
      "minimum": 0,
      "description": "Claims so far: the current attempt's fencing token."
     },
     "timeout_seconds": {
      "type": "number"
     },
     "cancel_requested": {
      "type": "boolean",
      "description": "An operator asked to cancel the job while it ran."
     },
     "progress": {
      "description": "The current attempt's last progress report, or null.",
      "oneOf": [
       {
        "type": "null"
       },
       {
        "type": "object",
        "additionalProperties": false,
        "required": [
         "percent",
         "message",
         "updated_at"
        ],
        "properties": {
         "percent": {
          "type": "integer",
          "minimum": 0,
          "maximum": 100
         },
         "message": {
          "type": "string"
         },
         "updated_at": {
          "type": "string",
          "format": "date-time"
         }
        }
       }
      ]
     },
     "concurrency": {
      "description": "The job's concurrency key and limit, or null. Only in `GET /jobs/{id}`.",
      "oneOf": [
       {
        "type": "null"
       },
       {
        "$ref": "#/components/schemas/JobConcurrency"
       }
      ]
     },
     "result": {
      "description": "What the handler returned (any JSON), or null. Only in `GET /jobs/{id}`."
     },
     "attempts": {
      "description": "Every attempt, oldest first. Only in `GET /jobs/{id}`.",
      "type": "array",
      "items": {
       "type": "object",
       "additionalProperties": false,
       "required": [
        "attempt",
        "node",
        "started_at",
        "finished_at",
        "outcome",
        "error"
       ],
       "properties": {
        "attempt": {
         "type": "integer",
         "minimum": 0
        },
        "node": {
         "type": [
          "string",
          "null"
         ]
        },
        "started_at": {
         "type": [
          "string",
          "null"
         ],
         "format": "date-time"
        },
        "finished_at": {
         "type": "string",
         "format": "date-time"
        },
        "outcome": {
         "type": "string",
         "enum": [
          "done",
          "retried",
          "dlq",
          "failed",
          "cancelled",
          "lost"
         ]
        },
        "error": {
         "type": "string"
        }
       }
      }
     }
    }
   },
   "JobList": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "jobs"
    ],
    "properties": {
     "jobs": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Job"
      }
     }
    }
   },
   "ClaimRequest": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "worker"
    ],
    "properties": {
     "worker": {
      "$ref": "#/components/schemas/Name",
      "description": "The worker's name; it shows in the fleet as `remote:<worker>`."
     },
     "types": {
      "type": "array",
      "minItems": 1,
      "items": {
       "$ref": "#/components/schemas/Name"
      },
      "description": "Only these job types; any type when left out."
     },
     "queues": {
      "type": "array",
      "minItems": 1,
      "items": {
       "$ref": "#/components/schemas/Name"
      },
      "description": "Only these named queues; any queue when left out. Paused queues are never claimed."
     },
     "max": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1000,
      "default": 1,
      "description": "Most jobs to lease; also the worker's slots in the fleet view."
     },
     "wait": {
      "type": "string",
      "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$",
      "default": "0s",
      "description": "How long to wait for work when none is claimable, from `0s` to `60s`."
     }
    }
   },
   "ClaimResponse": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "jobs",
     "heartbeat_interval_seconds",
     "lease_duration_seconds"
    ],
    "properties": {
     "jobs": {
      "type": "array",
      "items": {
       "type": "object",
       "additionalProperties": false,
       "required": [
        "job",
        "attempt",
        "lease_expires_at",
        "deadline"
       ],
       "properties": {
        "job": {
         "$ref": "#/components/schemas/Job"
        },
        "attempt": {
         "$ref": "#/components/schemas/Attempt"
        },
        "lease_expires_at": {
         "type": "string",
         "format": "date-time",
         "description": "The lease runs out then unless a heartbeat extends it."
        },
        "deadline": {
         "type": "string",
         "format": "date-time",
         "description": "The attempt's time limit (claim time plus `timeout_seconds`)."
        }
       }
      }
     },
     "heartbeat_interval_seconds": {
      "type": "number",
      "description": "How often to heartbeat each job (`HEARTBEAT_INTERVAL`)."
     },
     "lease_duration_seconds": {
      "type": "number",
      "description": "How far a claim or heartbeat extends a lease (`LEASE_DURATION`)."
     }
    }
   },
   "Fleet": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "total_workers",
     "busy_workers",
     "machines",
     "regions",
     "nodes"
    ],
    "properties": {
     "total_workers": {
      "type": "integer",
      "minimum": 0
     },
     "busy_workers": {
      "type": "integer",
      "minimum": 0
     },
     "machines": {
      "type": "array",
      "items": {
       "type": "object",
       "additionalProperties": false,
       "required": [
        "hostname",
        "nodes",
        "workers",
        "busy"
       ],
       "properties": {
        "hostname": {
         "type": "string"
        },
        "nodes": {
         "type": "integer",
         "minimum": 0
        },
        "workers": {
         "type": "integer",
         "minimum": 0
        },
        "busy": {
         "type": "integer",
         "minimum": 0
        }
       }
      }
     },
     "regions": {
      "type": "array",
      "description": "One entry per region (`REGION`) that has a node, sorted by name.",
      "items": {
       "type": "object",
       "additionalProperties": false,
       "required": [
        "name",
        "nodes",
        "slots",
        "busy"
       ],
       "properties": {
        "name": {
         "type": "string"
        },
        "nodes": {
         "type": "integer",
         "minimum": 0
        },
        "slots": {
         "type": "integer",
         "minimum": 0
        },
        "busy": {
         "type": "integer",
         "minimum": 0
        }
       }
      }
     },
     "nodes": {
      "type": "array",
      "items": {
       "type": "object",
       "additionalProperties": false,
       "required": [
        "id",
        "hostname",
        "pid",
        "api_addr",
        "region",
        "workers",
        "busy",
        "version",
        "types",
        "started_at",
        "last_heartbeat",
        "jobs_done",
        "jobs_failed"
       ],
       "properties": {
        "id": {
         "type": "string",
         "description": "A node's id, or `remote:<worker>` for a remote worker."
        },
        "hostname": {
         "type": "string",
         "description": "The machine (`NODE_NAME`), or a remote worker's name."
        },
        "pid": {
         "type": "integer",
         "description": "0 for a remote worker."
        },
        "api_addr": {
         "type": "string",
         "description": "Where the node's API listens; `remote` for a remote worker."
        },
        "region": {
         "type": "string",
         "description": "The node's region (`REGION`); `default` for a remote worker."
        },
        "workers": {
         "type": "integer",
         "minimum": 0,
         "description": "Slots; a remote worker's `max`."
        },
        "busy": {
         "type": "integer",
         "minimum": 0
        },
        "version": {
         "type": "string",
         "description": "The node's version; `remote` for a remote worker."
        },
        "types": {
         "type": "array",
         "items": {
          "type": "string"
         },
         "description": "Job types it runs; `*` for any."
        },
        "started_at": {
         "type": "string",
         "format": "date-time"
        },
        "last_heartbeat": {
         "type": "string",
         "format": "date-time"
        },
        "jobs_done": {
         "type": "integer",
         "minimum": 0
        },
        "jobs_failed": {
         "type": "integer",
         "minimum": 0
        }
       }
      }
     }
    }
   },
   "Stats": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "jobs",
     "pending_by_priority",
     "throughput",
     "oldest_pending_age_seconds",
     "fleet",
     "sampled_at"
    ],
    "properties": {
     "jobs": {
      "type": "object",
      "additionalProperties": false,
      "required": [
       "pending",
       "scheduled",
       "processing",
       "done",
       "failed",
       "dlq",
       "cancelled",
       "total"
      ],
      "properties": {
       "pending": {
        "type": "integer",
        "minimum": 0
       },
       "scheduled": {
        "type": "integer",
        "minimum": 0
       },
       "processing": {
        "type": "integer",
        "minimum": 0
       },
       "done": {
        "type": "integer",
        "minimum": 0
       },
       "failed": {
        "type": "integer",
        "minimum": 0
       },
       "dlq": {
        "type": "integer",
        "minimum": 0
       },
       "cancelled": {
        "type": "integer",
        "minimum": 0
       },
       "total": {
        "type": "integer",
        "minimum": 0
       }
      }
     },
     "pending_by_priority": {
      "type": "object",
      "description": "Pending jobs per priority, keys \"0\" to \"10\".",
      "propertyNames": {
       "pattern": "^([0-9]|10)$"
      },
      "additionalProperties": {
       "type": "integer",
       "minimum": 0
      }
     },
     "throughput": {
      "type": "object",
      "additionalProperties": false,
      "required": [
       "done_last_1m",
       "done_last_5m",
       "per_second_1m",
       "per_second_5m"
      ],
      "properties": {
       "done_last_1m": {
        "type": "integer",
        "minimum": 0
       },
       "done_last_5m": {
        "type": "integer",
        "minimum": 0
       },
       "per_second_1m": {
        "type": "number",
        "minimum": 0
       },
       "per_second_5m": {
        "type": "number",
        "minimum": 0
       }
      }
     },
     "oldest_pending_age_seconds": {
      "type": [
       "number",
       "null"
      ]
     },
     "fleet": {
      "type": "object",
      "additionalProperties": false,
      "required": [
       "nodes",
       "workers",
       "busy_workers"
      ],
      "properties": {
       "nodes": {
        "type": "integer",
        "minimum": 0
       },
       "workers": {
        "type": "integer",
        "minimum": 0
       },
       "busy_workers": {
        "type": "integer",
        "minimum": 0
       }
      }
     },
     "sampled_at": {
      "type": "string",
      "format": "date-time"
     }
    }
   }
  }
 }
}
"""##
}
