/**
 * AWS error carried through the simulator and rendered in the wire shape of the protocol that answers:
 * JSON 1.1 `{"__type": code, "Message": ..., "Reason"?: ...}` for Organizations, the query-protocol
 * `<ErrorResponse>` XML for STS.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }

  get reason(): string | undefined {
    return this.extra.Reason;
  }

  toJson(): Record<string, string> {
    return { __type: this.code, Message: this.message, ...this.extra };
  }
}

/** Constructors for the Organizations exceptions the simulator raises, with AWS's own wording where known. */
export const E = {
  invalidInput: (reason: string, message: string) => new AwsError("InvalidInputException", message, 400, { Reason: reason }),
  constraint: (reason: string, message: string) => new AwsError("ConstraintViolationException", message, 400, { Reason: reason }),
  serialization: (message: string) => new AwsError("SerializationException", message),
  accessDenied: (message: string) => new AwsError("AccessDeniedException", message),
  notInUse: () => new AwsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization."),
  accountNotFound: (id: string) => new AwsError("AccountNotFoundException", `You specified an account that doesn't exist: ${id}`),
  ouNotFound: (id: string) =>
    new AwsError("OrganizationalUnitNotFoundException", `You specified an organizational unit that doesn't exist: ${id}`),
  parentNotFound: (id: string) =>
    new AwsError("ParentNotFoundException", `We can't find a root or OU with the ParentId that you specified: ${id}`),
  childNotFound: (id: string) =>
    new AwsError(
      "ChildNotFoundException",
      `We can't find an organizational unit (OU) or AWS account with the ChildId that you specified: ${id}`,
    ),
  rootNotFound: (id: string) => new AwsError("RootNotFoundException", `We can't find a root with the RootId that you specified: ${id}`),
  targetNotFound: (id: string) =>
    new AwsError("TargetNotFoundException", `We can't find a root, OU, account, or policy with the TargetId that you specified: ${id}`),
  policyNotFound: (id: string) =>
    new AwsError("PolicyNotFoundException", `We can't find a policy with the PolicyId that you specified: ${id}`),
  policyTypeNotEnabled: (type: string) =>
    new AwsError(
      "PolicyTypeNotEnabledException",
      `This operation can be performed only for enabled policy types. ${type} is not enabled in the root.`,
    ),
  policyTypeAlreadyEnabled: (type: string) =>
    new AwsError("PolicyTypeAlreadyEnabledException", `The specified policy type ${type} is already enabled.`),
  policyTypeNotAvailable: (type: string) =>
    new AwsError(
      "PolicyTypeNotAvailableForOrganizationException",
      `You can't use policy type ${type} in this organization (the simulator models SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY).`,
    ),
  duplicateAttachment: (policyId: string, targetId: string) =>
    new AwsError(
      "DuplicatePolicyAttachmentException",
      `The selected policy ${policyId} is already attached to the specified target ${targetId}.`,
    ),
  notAttached: (policyId: string, targetId: string) =>
    new AwsError(
      "PolicyNotAttachedException",
      `The policy ${policyId} isn't attached to the specified target ${targetId} in the specified root.`,
    ),
  malformed: (detail: string) =>
    new AwsError(
      "MalformedPolicyDocumentException",
      `The provided policy document doesn't meet the requirements of the specified policy type: ${detail}`,
    ),
  policyInUse: (id: string) =>
    new AwsError(
      "PolicyInUseException",
      `The policy ${id} is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.`,
    ),
  duplicatePolicy: (name: string) => new AwsError("DuplicatePolicyException", `A policy with the same name already exists: ${name}`),
  duplicateOu: (name: string) =>
    new AwsError("DuplicateOrganizationalUnitException", `An OU with the same name already exists in the parent: ${name}`),
  duplicateAccount: () => new AwsError("DuplicateAccountException", "That account is already present in the specified destination."),
  ouNotEmpty: (id: string) =>
    new AwsError(
      "OrganizationalUnitNotEmptyException",
      `The specified OU ${id} is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.`,
    ),
  sourceParentNotFound: (id: string) =>
    new AwsError("SourceParentNotFoundException", `We can't find a source root or OU with the ParentId that you specified: ${id}`),
  destinationParentNotFound: (id: string) =>
    new AwsError(
      "DestinationParentNotFoundException",
      `We can't find the destination container (a root or OU) with the ParentId that you specified: ${id}`,
    ),
  concurrentModification: () =>
    new AwsError(
      "ConcurrentModificationException",
      "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.",
    ),
  tooManyRequests: () => new AwsError("TooManyRequestsException", "Rate exceeded", 400, { Type: "TooManyRequestsException" }),
  service: () =>
    new AwsError(
      "ServiceException",
      "AWS Organizations can't complete your request because of an internal service error. Try again later.",
      500,
    ),
  unavailable: () => new AwsError("ServiceUnavailableException", "Service is currently unavailable. Try again later.", 503),
  createAccountStatusNotFound: (id: string) =>
    new AwsError(
      "CreateAccountStatusNotFoundException",
      `We can't find an create account request with the CreateAccountRequestId that you specified: ${id}`,
    ),
};
