"""Runs one S3 operation with boto3, as its users write it, and prints the result as JSON.

Usage: boto3_client.py '<json request>'. Connection settings come from the environment:
MATRIX_ENDPOINT, MATRIX_REGION, MATRIX_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN (a temporary key); HTTP_PROXY when the endpoint is the emulator.
A refusal is printed as {"error": {...}} with exit status 3.
"""
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

req = json.loads(sys.argv[1])
bucket = os.environ["MATRIX_BUCKET"]
# COS's guide for the AWS SDKs: the endpoint of the region, virtual-hosted bucket names.
s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["MATRIX_ENDPOINT"],
    region_name=os.environ["MATRIX_REGION"],
    config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1}),
)


def listing(out):
    return {
        "keys": [c["Key"] for c in out.get("Contents", [])],
        "prefixes": [p["Prefix"] for p in out.get("CommonPrefixes", [])],
    }


def run(op):
    key = req.get("key")
    if op == "put":
        with open(req["file"], "rb") as f:
            s3.put_object(Bucket=bucket, Key=key, Body=f.read(), Metadata=req.get("meta", {}))
        return {}
    if op == "get":
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        with open(req["file"], "wb") as f:
            f.write(body)
        return {}
    if op == "head":
        out = s3.head_object(Bucket=bucket, Key=key)
        return {"size": out["ContentLength"], "etag": out.get("ETag"), "meta": out.get("Metadata", {})}
    if op in ("list", "listV2"):
        args = {"Bucket": bucket, "Prefix": req["prefix"]}
        if req.get("delimiter"):
            args["Delimiter"] = req["delimiter"]
        return listing(s3.list_objects_v2(**args) if op == "listV2" else s3.list_objects(**args))
    if op == "delete":
        s3.delete_object(Bucket=bucket, Key=key)
        return {}
    if op == "copy":
        s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": req["source"]})
        return {}
    if op == "multipart":
        mib = 1024 * 1024
        s3.upload_file(req["file"], bucket, key, Config=TransferConfig(multipart_threshold=5 * mib, multipart_chunksize=5 * mib))
        return {}
    if op == "presign":
        method = {"GET": "get_object", "PUT": "put_object"}[req["method"]]
        return {"url": s3.generate_presigned_url(method, Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)}
    raise ValueError("unknown operation " + op)


try:
    print(json.dumps(run(req["op"])))
except ClientError as e:
    err = e.response.get("Error", {})
    meta = e.response.get("ResponseMetadata", {})
    print(json.dumps({"error": {"status": meta.get("HTTPStatusCode"), "code": err.get("Code"), "message": err.get("Message") or str(e)}}))
    sys.exit(3)
