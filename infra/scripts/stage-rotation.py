"""Stages the secret of events/rotate-signing-key in the middle of a scheduled rotation, as
tests/src/rotation.rs does for the event tests: used by runtime-test.sh before each of
the rotation function's events. Needs a local stack's environment (moto).

The emulator enables rotation only when RotateSecret names a Lambda function, which it
cannot invoke without Docker: a placeholder function stands in, and the test drives the
rotation function itself.
"""

import io
import os
import uuid
import zipfile

import boto3
import boto3.session

SECRET_ID = "tessera-fixture-rotating-key"
VERSION = "FixtureRotationVersion0000000001"
endpoint = os.environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"]
session = boto3.session.Session(region_name=os.environ.get("AWS_REGION", "us-east-1"))
secrets = session.client("secretsmanager", endpoint_url=endpoint)
name = f"rotate-{uuid.uuid4().hex}"
role = session.client("iam", endpoint_url=endpoint).create_role(RoleName=name, AssumeRolePolicyDocument="{}")
code = io.BytesIO()
zipfile.ZipFile(code, "w").close()
function = session.client("lambda", endpoint_url=endpoint).create_function(
    FunctionName=name, Runtime="provided.al2023", Role=role["Role"]["Arn"], Handler="bootstrap",
    Code={"ZipFile": code.getvalue()})
try:
    secrets.delete_secret(SecretId=SECRET_ID, ForceDeleteWithoutRecovery=True)
except secrets.exceptions.ResourceNotFoundException:
    pass
secrets.create_secret(Name=SECRET_ID, SecretString="FixtureSigningKeyBeforeRotation" + "0" * 32 + "1")
secrets.rotate_secret(SecretId=SECRET_ID, RotationLambdaARN=function["FunctionArn"],
                      RotationRules={"AutomaticallyAfterDays": 30}, ClientRequestToken=VERSION)
secrets.put_secret_value(SecretId=SECRET_ID, ClientRequestToken=VERSION, VersionStages=["AWSPENDING"],
                         SecretString="FixtureSigningKeyAfterRotation" + "0" * 53 + "1")
