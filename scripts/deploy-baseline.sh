#!/usr/bin/env bash
# Deploys baseline.yaml to every account of the organization (new ones included) as a
# service-managed StackSet with auto-deployment, in us-east-1 and in every Region certificates
# are requested in (ACM's events stay in their Region: the renewal watch hears a Region only if
# the baseline is there). Run it in the management account after `sam deploy`, and again after
# changing baseline.yaml or the Regions; it creates or updates.
#
#   scripts/deploy-baseline.sh [--stack orgdns] [--targets r-abcd|ou-ab12-cd34ef56,...]
#                              [--regions "us-east-1 eu-west-1"] [--developer-principals arn:...,arn:...]
#
# --regions defaults to us-east-1 plus the stack's DefaultCertificateRegions; add any Region an
# account asks for in its orgdns:certificate-regions tag.
#
# Needs the AWS CLI v2 and trusted access for CloudFormation StackSets in Organizations
# (`aws organizations enable-aws-service-access --service-principal member.org.stacksets.cloudformation.amazonaws.com`,
# or CloudFormation console > StackSets > Enable trusted access).
set -euo pipefail

stack=orgdns
targets=""
developers=""
regions=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --developer-principals) developers=$2; shift 2 ;;
    --regions) regions=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

export AWS_REGION=us-east-1
here=$(cd "$(dirname "$0")/.." && pwd)
set_name="${stack}-member-baseline"
account=$(aws sts get-caller-identity --query Account --output text)
bus=$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='MemberEventBusArn'].OutputValue" --output text)
role=$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Parameters[?ParameterKey=='MemberRoleName'].ParameterValue" --output text)
if [ -z "$bus" ] || [ "$bus" = "None" ]; then
  echo "stack $stack has no MemberEventBusArn output: deploy orgdns first (sam deploy)" >&2
  exit 1
fi
if [ -z "$targets" ]; then
  targets=$(aws organizations list-roots --query "Roots[0].Id" --output text)
fi
if [ -z "$regions" ]; then
  defaults=$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Parameters[?ParameterKey=='DefaultCertificateRegions'].ParameterValue" --output text)
  regions="us-east-1 ${defaults//,/ }"
fi
read -r -a region_list <<< "$(echo "$regions" | tr ' ' '\n' | grep -v '^$' | sort -u | tr '\n' ' ')"
if [ "$role" = "OrganizationAccountAccessRole" ]; then
  role=OrgDnsExecution  # the baseline's scoped role; set MemberRoleName to it once deployed
fi

parameters=(
  "ParameterKey=ManagementAccountId,ParameterValue=$account"
  "ParameterKey=MemberEventBusArn,ParameterValue=$bus"
  "ParameterKey=OrgDnsStackName,ParameterValue=$stack"
  "ParameterKey=ExecutionRoleName,ParameterValue=$role"
  "ParameterKey=DeveloperPrincipalArns,ParameterValue='$developers'"
)
common=(
  --stack-set-name "$set_name"
  --template-body "file://$here/baseline.yaml"
  --capabilities CAPABILITY_NAMED_IAM
  --parameters "${parameters[@]}"
)

if aws cloudformation describe-stack-set --stack-set-name "$set_name" >/dev/null 2>&1; then
  echo "updating stack set $set_name"
  aws cloudformation update-stack-set "${common[@]}" \
    --deployment-targets "OrganizationalUnitIds=$targets" --regions "${region_list[@]}"
else
  echo "creating stack set $set_name"
  aws cloudformation create-stack-set "${common[@]}" \
    --permission-model SERVICE_MANAGED \
    --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false
  aws cloudformation create-stack-instances --stack-set-name "$set_name" \
    --deployment-targets "OrganizationalUnitIds=$targets" --regions "${region_list[@]}"
fi
echo "done: the baseline reaches every account below $targets, and every account created there later, in ${region_list[*]}."
echo "StackSets skip the management account: orgdns's template forwards its events itself."
